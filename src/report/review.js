// The review section of report.html: every pair of review.csv (up to the page's limit), decided with
// buttons or keys; decisions are kept in the browser's local storage under this run's key and
// downloaded as a decisions file that `crmclean dedupe --decisions` reads.
(() => {
  const $ = (id) => document.getElementById(id);
  const data = JSON.parse($('review-data').textContent);
  const H = data.header;
  const at = (name) => H.indexOf(name);
  const K = {
    kind: at('kind'), p: at('probability'), w: at('match_weight'), reason: at('reason'),
    ls: at('left_source'), lr: at('left_record_id'), lc: at('left_cluster'),
    rs: at('right_source'), rr: at('right_record_id'), rc: at('right_cluster'), decision: at('decision'),
  };
  // [label, left column, right column, weight column] of each compared field.
  const fields = data.fields.map(([label, name]) => [label, at(name + '_left'), at(name + '_right'), at(name + '_weight')]);
  const store = 'crmclean-review:' + data.run;
  // This browser's decisions for this run's pairs; a pair without one has the decision the run
  // applied (review.csv's decision column), 'open' when the reviewer undid that.
  let decided = {};
  try { decided = JSON.parse(localStorage.getItem(store) || '{}') || {}; } catch (e) { decided = {}; }
  const warn = (text) => { const w = $('review-warning'); w.textContent = text; w.hidden = !text; };
  const save = () => {
    const value = JSON.stringify(decided);
    try { localStorage.setItem(store, value); warn(''); return; } catch (e) { /* full: make room below */ }
    // Every report opened from file:// shares one storage: older runs' decisions give way.
    for (let n = localStorage.length - 1; n >= 0; n--) {
      const k = localStorage.key(n);
      if (k && k !== store && k.startsWith('crmclean-review:')) localStorage.removeItem(k);
    }
    try { localStorage.setItem(store, value); warn(''); } catch (e) {
      warn('This browser could not keep your decisions (its storage is full or off): download them before closing the page.');
    }
  };
  const key = (r) => [r[K.ls], r[K.lr], r[K.rs], r[K.rr]].join('\u0001');
  const state = (r) => {
    const d = decided[key(r)];
    return d === undefined ? r[K.decision] || '' : d === 'open' ? '' : d;
  };
  const history = []; // [row, what it was before], for undo
  const el = (tag, cls, text) => {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  };
  const PAGE = 20;
  const LABEL = { match: 'Match', 'no-match': 'No match', skip: 'Skipped' };
  let kind = '';
  let openOnly = false;
  let order = [];
  let page = 0;
  let current = 0; // position in `order`

  const visible = () => data.rows.map((_, i) => i).filter((i) => {
    const r = data.rows[i];
    return (!kind || r[K.kind] === kind) && (!openOnly || !state(r));
  });

  function card(i, n) {
    const r = data.rows[i];
    const d = state(r);
    const a = el('article', 'pair');
    a.dataset.i = i;
    a.dataset.decision = d;
    const head = el('header');
    head.append(el('b', '', '#' + (i + 1)), ' ', el('span', 'kind', r[K.kind]), ' ');
    const p = parseFloat(r[K.p]);
    head.append(Number.isNaN(p) ? '' : 'probability ' + (p * 100).toFixed(1) + '% · ', 'weight ' + r[K.w]);
    if (r[K.reason]) head.append(' · ', el('span', 'reason', r[K.reason]));
    head.append(' ', el('span', 'state', LABEL[d] || ''));
    a.append(head);
    const t = el('table', 'cmp');
    const tr = el('tr');
    tr.append(el('th', '', 'field'),
      el('th', '', r[K.ls] + ' · ' + r[K.lr] + ' (cluster ' + r[K.lc] + ')'),
      el('th', '', r[K.rs] + ' · ' + r[K.rr] + ' (cluster ' + r[K.rc] + ')'),
      el('th', '', 'weight'));
    t.append(tr);
    fields.forEach(([label, li, ri, wi], f) => {
      const [x, y, w] = [r[li], r[ri], r[wi]];
      if (!x && !y) return;
      const row = el('tr', !x || !y ? 'missing' : data.differ[i] & (2 ** f) ? 'differ' : 'same');
      const wv = parseFloat(w);
      row.append(el('td', '', label), el('td', 'v', x), el('td', 'v', y),
        el('td', Number.isNaN(wv) ? 'w' : wv >= 0 ? 'w for' : 'w against', w ? (wv >= 0 ? '+' : '') + w : ''));
      t.append(row);
    });
    a.append(t);
    const act = el('div', 'act');
    for (const [dv, text, k] of [['match', 'Match', 'M'], ['no-match', 'No match', 'N'], ['skip', 'Skip', 'S']]) {
      const b = el('button', '', text + ' ');
      b.dataset.d = dv;
      b.append(el('kbd', '', k));
      act.append(b);
    }
    a.append(act);
    if (n === current) a.classList.add('current');
    return a;
  }

  function render(scroll) {
    order = visible();
    const pages = Math.max(1, Math.ceil(order.length / PAGE));
    current = Math.min(Math.max(current, 0), Math.max(order.length - 1, 0));
    page = Math.floor(current / PAGE);
    const list = $('review-list');
    list.replaceChildren();
    for (let n = page * PAGE; n < Math.min(order.length, (page + 1) * PAGE); n++) list.append(card(order[n], n));
    if (!order.length) list.append(el('p', '', openOnly ? 'Every pair shown is decided: download the decisions.' : 'No pairs of this kind.'));
    $('review-page').textContent = 'page ' + (page + 1) + ' of ' + pages;
    const counts = { match: 0, 'no-match': 0, skip: 0 };
    for (const r of data.rows) { const d = state(r); if (d in counts) counts[d]++; }
    const open = data.rows.length - counts.match - counts['no-match'] - counts.skip;
    $('review-progress').textContent = counts.match + ' match, ' + counts['no-match'] + ' no match, ' + counts.skip + ' skipped, ' + open + ' to decide';
    const c = list.querySelector('.current');
    if (scroll && c) c.scrollIntoView({ block: 'nearest' });
  }

  function set(i, d) {
    const r = data.rows[i];
    if (d === (r[K.decision] || '')) delete decided[key(r)]; else decided[key(r)] = d || 'open';
  }

  function decide(i, d) {
    history.push([i, state(data.rows[i])]);
    set(i, d);
    save();
    const n = order.indexOf(i);
    if (n >= 0) current = openOnly ? n : n + 1;
    render(true);
  }

  function undo() {
    const last = history.pop();
    if (!last) return;
    const [i, before] = last;
    set(i, before);
    save();
    order = visible();
    const n = order.indexOf(i);
    if (n >= 0) current = n;
    render(true);
  }

  function download() {
    // As review.csv writes cells: quoted when needed, a formula-like value guarded with ' (the run
    // reads it back without the guard).
    const guard = (v) => (/^[=@\t\r]/.test(v) || (/^[+-]/.test(v) && !/^.[0-9 ()./-]*$/.test(v)) ? "'" + v : v);
    const q = (v) => { v = guard(v); return /[",\r\n]/.test(v) ? '"' + v.replace(/"/g, '""') + '"' : v; };
    const lines = ['kind,left_source,left_record_id,right_source,right_record_id,decision'];
    for (const a of data.applied) lines.push(['decided', ...a].map(q).join(','));
    for (const r of data.rows) {
      const d = state(r);
      if (d === 'match' || d === 'no-match') lines.push([r[K.kind], r[K.ls], r[K.lr], r[K.rs], r[K.rr], d].map(q).join(','));
    }
    const url = URL.createObjectURL(new Blob([lines.join('\r\n') + '\r\n'], { type: 'text/csv' }));
    const a = el('a');
    a.href = url;
    a.download = 'decisions.csv';
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  }

  $('review-list').addEventListener('click', (e) => {
    const b = e.target.closest('button[data-d]');
    if (b) decide(+b.closest('.pair').dataset.i, b.dataset.d);
    else {
      const a = e.target.closest('.pair');
      if (a) { current = order.indexOf(+a.dataset.i); render(false); }
    }
  });
  // After a filter is set, the keys go back to the pairs (not to the menu or the box).
  $('review-kind').addEventListener('change', (e) => { kind = e.target.value; current = 0; e.target.blur(); render(false); });
  $('review-open').addEventListener('change', (e) => { openOnly = e.target.checked; current = 0; e.target.blur(); render(false); });
  $('review-export').addEventListener('click', download);
  $('review-prev').addEventListener('click', () => { current = (page - 1) * PAGE; render(true); });
  $('review-next').addEventListener('click', () => { if ((page + 1) * PAGE < order.length) { current = (page + 1) * PAGE; render(true); } });
  // Keys act only on the outlined pair while it is on screen: reading elsewhere in the page never
  // decides a pair unseen (a key then brings the pair into view instead).
  const onScreen = (e) => {
    const b = e.getBoundingClientRect();
    return b.top < window.innerHeight && b.bottom > 0;
  };
  document.addEventListener('keydown', (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey || /^(INPUT|SELECT|TEXTAREA)$/.test(e.target.tagName)) return;
    const k = e.key.toLowerCase();
    const choice = { m: 'match', n: 'no-match', s: 'skip' };
    if (!(k in choice || k === 'u' || k === 'j' || k === 'k')) return;
    const c = $('review-list').querySelector('.current');
    if (!c || !onScreen($('review'))) return;
    e.preventDefault();
    if (!onScreen(c)) { c.scrollIntoView({ block: 'nearest' }); return; }
    if (k === 'u') undo();
    else if (k in choice) decide(order[current], choice[k]);
    else { current = Math.min(Math.max(current + (k === 'j' ? 1 : -1), 0), order.length - 1); render(true); }
  });
  render(false);
})();
