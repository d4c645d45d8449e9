"""Splink (DuckDB backend) on the exports `crmclean generate` writes, for the side-by-side benchmark.

Run by benches/splink_side_by_side.sh, which creates the venv. Usage:

    python splink_side_by_side.py DATA_DIR OUT_CLUSTERS_CSV

Splink needs one table with one schema, so this script does what a Splink user would do by hand:
map each export's headers to common columns, split the webinar's single name column, parse each
file's date format, lowercase and strip accents, and keep the last 9 digits of phone numbers. The
model is a typical five-rule Splink setup (blocking on email, full name, phone, birth date + surname,
postcode + first name), with u from random sampling and m by EM, then clustering at 0.5. Prints the
wall time of the Splink part; writes `source,record_id,cluster_id` for `crmclean evaluate`.
"""

import csv
import os
import sys
import time
import unicodedata
from datetime import datetime

import pandas as pd
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on

FILES = {
    # source: (file, encoding, delimiter, id column, column map, date format)
    "crm_salesforce": (
        "crm_salesforce.csv", "utf-8-sig", ",", "Id",
        {"First Name": "first_name", "Last Name": "surname", "Email": "email", "Phone": "phone",
         "Mobile": "mobile", "Mailing City": "city", "Mailing Zip/Postal Code": "postcode",
         "Birthdate": "dob", "Account Name": "company"},
        "%m/%d/%Y",
    ),
    "hubspot_export": (
        "hubspot_export.csv", "utf-8-sig", ",", "Record ID",
        {"First Name": "first_name", "Last Name": "surname", "Email": "email", "Phone Number": "phone",
         "City": "city", "Postal Code": "postcode", "Company Name": "company"},
        None,
    ),
    "webinar_anmeldungen": (
        "webinar_anmeldungen.csv", "cp1252", ";", None,
        {"Name": "full_name", "E-Mail": "email", "Telefon": "phone", "Ort": "city", "PLZ": "postcode",
         "Geburtsdatum": "dob", "Firma": "company"},
        "%d.%m.%Y",
    ),
    "contatti_it": (
        "contatti_it.csv", "utf-8-sig", ";", "ID Contatto",
        {"Nome": "first_name", "Cognome": "surname", "Email": "email", "Telefono": "phone",
         "Cellulare": "mobile", "Città": "city", "CAP": "postcode", "Data di nascita": "dob",
         "Azienda": "company"},
        "%d/%m/%Y",
    ),
}
TITLES = {"dr", "prof", "herr", "frau", "mr", "mrs", "ms", "sig", "sig.ra", "dott", "pan", "pani"}


def fold(s):
    s = unicodedata.normalize("NFKD", s or "").encode("ascii", "ignore").decode().lower().strip()
    return s or None


def split_name(full):
    full = (full or "").strip()
    if "," in full:
        last, first = full.split(",", 1)
        return fold(first.split()[0] if first.split() else ""), fold(last)
    words = [w for w in full.replace(".", " ").split() if w.lower() not in TITLES]
    if not words:
        return None, None
    return fold(words[0]), fold(words[-1]) if len(words) > 1 else None


def digits(s):
    d = "".join(ch for ch in (s or "") if ch.isdigit())
    return d[-9:] if len(d) >= 6 else None


def date(s, fmt):
    if not s:
        return None
    for f in [fmt, "%Y-%m-%d"] if fmt else ["%Y-%m-%d"]:
        try:
            return datetime.strptime(s.strip()[:10], f).strftime("%Y-%m-%d")
        except ValueError:
            pass
    return None


def load(data_dir):
    rows = []
    for source, (name, enc, delim, id_col, cols, fmt) in FILES.items():
        with open(f"{data_dir}/{name}", encoding=enc, newline="") as f:
            reader = csv.reader(f, delimiter=delim)
            header = next(reader)
            for n, rec in enumerate(reader, start=1):
                if len(rec) != len(header):
                    continue  # ragged row: crmclean rejects it too
                raw = dict(zip(header, rec))
                r = {"source": source, "record_id": raw[id_col] if id_col else str(n)}
                for h, c in cols.items():
                    r[c] = raw.get(h, "")
                if "full_name" in r:
                    r["first_name"], r["surname"] = split_name(r.pop("full_name"))
                else:
                    r["first_name"], r["surname"] = fold(r["first_name"]), fold(r["surname"])
                r["email"] = fold(r.get("email"))
                r["phone"] = digits(r.get("phone")) or digits(r.pop("mobile", ""))
                r.pop("mobile", None)
                r["dob"] = date(r.get("dob"), fmt)
                r["city"], r["postcode"], r["company"] = fold(r.get("city")), fold(r.get("postcode")), fold(r.get("company"))
                rows.append(r)
    df = pd.DataFrame(rows)
    df["unique_id"] = range(len(df))
    return df


def main():
    data_dir, out = sys.argv[1], sys.argv[2]
    started = time.time()
    df = load(data_dir)
    loaded = time.time()
    settings = SettingsCreator(
        link_type="dedupe_only",
        blocking_rules_to_generate_predictions=[
            block_on("email"),
            block_on("first_name", "surname"),
            block_on("phone"),
            block_on("dob", "surname"),
            block_on("postcode", "first_name"),
        ],
        comparisons=[
            cl.NameComparison("first_name").configure(term_frequency_adjustments=True),
            cl.NameComparison("surname").configure(term_frequency_adjustments=True),
            cl.EmailComparison("email"),
            cl.ExactMatch("phone"),
            cl.DateOfBirthComparison("dob", input_is_string=True),
            cl.ExactMatch("postcode"),
            cl.ExactMatch("city"),
            cl.JaroWinklerAtThresholds("company", [0.9]),
        ],
        retain_intermediate_calculation_columns=False,
    )
    db_api = DuckDBAPI()
    linker = Linker(db_api.register(df), settings, log_level=None)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("email"), block_on("first_name", "surname", "dob")], recall=0.8
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("first_name", "surname"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("dob"))
    threshold = float(os.environ.get("SPLINK_THRESHOLD", "0.5"))
    predictions = linker.inference.predict(threshold_match_probability=threshold)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(predictions, threshold)
    clusters = clusters.as_pandas_dataframe()
    done = time.time()
    clusters[["source", "record_id", "cluster_id"]].to_csv(out, index=False)
    print(f"splink: {len(df)} records, load+prepare {loaded - started:.1f} s, splink {done - loaded:.1f} s, "
          f"total {done - started:.1f} s")


if __name__ == "__main__":
    main()
