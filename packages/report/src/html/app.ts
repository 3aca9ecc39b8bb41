/**
 * The HTML report's script: reads the embedded rows (see `ROW` in html.ts for their layout),
 * filters, sorts and pages the files table, shows a file's evidence on click, and lets a click on a
 * chart bar set a filter. Plain ES2017, no dependencies, nothing fetched. Builds every element with
 * `textContent`: paths and excerpts come from the dataset and are never parsed as HTML.
 */
export const APP = String.raw`
(function () {
  'use strict';
  var DEC = ['allow', 'review', 'exclude'];
  var DEC_LABEL = ['Allowed', 'Review', 'Excluded'];
  var SEV = ['info', 'warning', 'error'];
  var PAGE = 50;
  var source = document.getElementById('clearance-data');
  var rows = [];
  try { rows = JSON.parse(source ? source.textContent || '[]' : '[]'); } catch (e) { rows = []; }
  var hay = new Array(rows.length);
  var state = { q: '', verdict: 'all', licence: '', protocol: '', folder: '', signal: '', page: 0, sort: 'verdict' };
  var open = {};
  var $ = function (id) { return document.getElementById(id); };
  var nf = new Intl.NumberFormat('en-US');

  function folderOf(p) { var i = p.indexOf('/'); return i < 0 ? '(top level)' : p.slice(0, i); }
  function bytes(n) {
    var u = ['B', 'KB', 'MB', 'GB', 'TB'], i = 0;
    while (n >= 1000 && i < u.length - 1) { n /= 1000; i++; }
    return (i === 0 ? n : n.toFixed(n >= 100 ? 0 : 1)) + ' ' + u[i];
  }
  function text(tag, t, cls) { var e = document.createElement(tag); if (t !== undefined && t !== null) e.textContent = String(t); if (cls) e.className = cls; return e; }
  function badge(d) { return text('span', DEC_LABEL[d], 'badge ' + DEC[d]); }
  function haystack(i) {
    if (hay[i] === undefined) {
      var r = rows[i], parts = [r[0], r[2], r[4] || ''];
      r[6].forEach(function (x) { parts.push(x[0], x[2]); });
      r[7].forEach(function (x) { parts.push(x[0]); });
      r[8].forEach(function (x) { parts.push(x[0]); });
      r[10].forEach(function (x) { parts.push(x[0]); });
      hay[i] = parts.join('\n').toLowerCase();
    }
    return hay[i];
  }
  function matches(i) {
    var r = rows[i];
    if (state.verdict !== 'all' && DEC[r[1]] !== state.verdict) return false;
    if (state.licence && r[2] !== state.licence) return false;
    if (state.folder && folderOf(r[0]) !== state.folder) return false;
    if (state.protocol) {
      if (state.protocol === '*') { if (!r[8].some(function (o) { return o[1] !== 'no'; })) return false; }
      else if (!r[8].some(function (o) { return o[0] === state.protocol && o[1] !== 'no'; })) return false;
    }
    if (state.signal === 'tpm' && r[9].length === 0) return false;
    if (state.signal === 'error' && r[10].length === 0) return false;
    if (state.signal === 'conflict' && !r[6].some(function (x) { return x[0] === 'licence.conflict'; })) return false;
    if (state.q) {
      var words = state.q.toLowerCase().split(/\s+/).filter(Boolean), h = haystack(i);
      for (var w = 0; w < words.length; w++) if (h.indexOf(words[w]) < 0) return false;
    }
    return true;
  }
  function firstReason(r) {
    for (var k = 0; k < r[6].length; k++) if (r[6][k][1] === r[1] && r[1] > 0) return r[6][k];
    return r[6][0];
  }

  function detail(r) {
    var td = document.createElement('td');
    td.colSpan = 5;
    var box = text('div', null, 'detail');
    box.appendChild(text('h4', 'Why'));
    var ul = document.createElement('ul');
    r[6].forEach(function (x) {
      var li = document.createElement('li');
      li.appendChild(badge(x[1])); li.appendChild(document.createTextNode(' '));
      li.appendChild(text('code', x[0])); li.appendChild(document.createTextNode(' ' + x[2]));
      ul.appendChild(li);
    });
    if (r[6].length === 0) ul.appendChild(text('li', 'No reason recorded.'));
    box.appendChild(ul);
    if (r[7].length > 0) {
      box.appendChild(text('h4', 'Evidence'));
      var t = document.createElement('table'), head = document.createElement('tr');
      ['Finding', 'Kind', 'Where', 'Excerpt'].forEach(function (h) { head.appendChild(text('th', h)); });
      t.appendChild(head);
      r[7].forEach(function (f) {
        var tr = document.createElement('tr');
        var c0 = text('td'); c0.appendChild(text('code', f[0]));
        if (f[5] & 1) c0.appendChild(text('div', 'inherited from a marker', 'note'));
        if (f[5] & 2) c0.appendChild(text('div', 'overridden by a nearer marker', 'note'));
        tr.appendChild(c0);
        tr.appendChild(text('td', f[1] + (f[6] > 0 ? ' · ' + SEV[f[6]] : '')));
        var where = text('td'); where.appendChild(text('code', f[2] + (f[3] ? ':' + f[3] : ''))); tr.appendChild(where);
        tr.appendChild(text('td', f[4] || '', 'excerpt'));
        t.appendChild(tr);
      });
      box.appendChild(t);
    }
    if (r[8].length > 0) {
      box.appendChild(text('h4', 'Text-and-data-mining reservations'));
      var ol = document.createElement('ul');
      r[8].forEach(function (o) { ol.appendChild(text('li', o[0] + ': reserved ' + o[1] + (o[4] ? ' (' + o[4] + ')' : '') + ' — ' + o[2] + (o[3] ? ':' + o[3] : ''))); });
      box.appendChild(ol);
    }
    if (r[9].length > 0) {
      box.appendChild(text('h4', 'Technical protection measures'));
      var tl = document.createElement('ul');
      r[9].forEach(function (x) { tl.appendChild(text('li', x[0] + (x[1] ? ' — needs a secret to open' : ' — restrictions only'))); });
      box.appendChild(tl);
    }
    if (r[10].length > 0) {
      box.appendChild(text('h4', 'Errors'));
      var el = document.createElement('ul');
      r[10].forEach(function (x) { var li = document.createElement('li'); li.appendChild(text('code', x[0])); li.appendChild(document.createTextNode(' ' + x[1])); el.appendChild(li); });
      box.appendChild(el);
    }
    box.appendChild(text('h4', 'File'));
    var kv = text('div', null, 'kv');
    [['Size', bytes(r[3]) + ' (' + nf.format(r[3]) + ' bytes)'], ['Media type', r[4] || 'unknown'], ['Licence', r[2]], ['sha256', r[5] || 'not computed']].forEach(function (p) {
      kv.appendChild(text('span', p[0])); kv.appendChild(text('span', p[1], p[0] === 'sha256' ? 'mono' : ''));
    });
    box.appendChild(kv);
    td.appendChild(box);
    var tr = document.createElement('tr'); tr.className = 'detail'; tr.appendChild(td);
    return tr;
  }

  function render() {
    var idx = [];
    for (var i = 0; i < rows.length; i++) if (matches(i)) idx.push(i);
    if (state.sort === 'path') idx.sort(function (a, b) { return rows[a][0] < rows[b][0] ? -1 : rows[a][0] > rows[b][0] ? 1 : 0; });
    else if (state.sort === 'size') idx.sort(function (a, b) { return rows[b][3] - rows[a][3]; });
    else idx.sort(function (a, b) { return rows[b][1] - rows[a][1] || a - b; });
    var pages = Math.max(1, Math.ceil(idx.length / PAGE));
    if (state.page >= pages) state.page = pages - 1;
    var start = state.page * PAGE, shown = idx.slice(start, start + PAGE);
    var body = $('files-body');
    while (body.firstChild) body.removeChild(body.firstChild);
    if (shown.length === 0) {
      var tr0 = document.createElement('tr'); tr0.className = 'empty-row';
      var td0 = text('td', rows.length === 0 ? 'No files in this report.' : 'No file matches these filters.'); td0.colSpan = 5; tr0.appendChild(td0); body.appendChild(tr0);
    }
    shown.forEach(function (i) {
      var r = rows[i], tr = document.createElement('tr');
      tr.className = 'row' + (open[i] ? ' open' : '');
      tr.tabIndex = 0;
      tr.setAttribute('data-path', r[0]);
      var c0 = text('td'); c0.appendChild(text('span', '\u25B8', 'caret')); c0.appendChild(badge(r[1])); tr.appendChild(c0);
      var c1 = text('td', null, 'path'); c1.appendChild(text('code', r[0])); tr.appendChild(c1);
      var c2 = text('td'); c2.appendChild(text('code', r[2])); tr.appendChild(c2);
      var fr = firstReason(r);
      tr.appendChild(text('td', fr ? fr[2] : '', 'why'));
      tr.appendChild(text('td', bytes(r[3]), 'num'));
      var toggle = function () { open[i] = !open[i]; render(); };
      tr.addEventListener('click', toggle);
      tr.addEventListener('keydown', function (e) { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); toggle(); } });
      body.appendChild(tr);
      if (open[i]) body.appendChild(detail(r));
    });
    $('files-count').textContent = idx.length === 0 ? 'No matching files' : 'Showing ' + nf.format(start + 1) + '\u2013' + nf.format(start + shown.length) + ' of ' + nf.format(idx.length) + ' matching file' + (idx.length === 1 ? '' : 's');
    $('page-prev').disabled = state.page === 0;
    $('page-next').disabled = state.page >= pages - 1;
    $('page-of').textContent = 'Page ' + nf.format(state.page + 1) + ' of ' + nf.format(pages);
    var segs = document.querySelectorAll('#verdict-filter button');
    for (var s = 0; s < segs.length; s++) segs[s].setAttribute('aria-pressed', String(segs[s].getAttribute('data-value') === state.verdict));
    $('f-licence').value = state.licence; $('f-protocol').value = state.protocol; $('f-folder').value = state.folder; $('f-signal').value = state.signal; $('f-sort').value = state.sort;
    if ($('q').value !== state.q) $('q').value = state.q;
  }

  function fill(select, counts, label) {
    Object.keys(counts).sort(function (a, b) { return counts[b] - counts[a] || (a < b ? -1 : 1); }).forEach(function (k) {
      var o = document.createElement('option'); o.value = k; o.textContent = (label ? label(k) : k) + ' (' + nf.format(counts[k]) + ')'; select.appendChild(o);
    });
  }
  var licences = {}, protocols = {}, folders = {}, byVerdict = [0, 0, 0];
  rows.forEach(function (r) {
    licences[r[2]] = (licences[r[2]] || 0) + 1;
    var f = folderOf(r[0]); folders[f] = (folders[f] || 0) + 1;
    var seen = {};
    r[8].forEach(function (o) { if (o[1] !== 'no' && !seen[o[0]]) { seen[o[0]] = 1; protocols[o[0]] = (protocols[o[0]] || 0) + 1; } });
    byVerdict[r[1]]++;
  });
  fill($('f-licence'), licences);
  fill($('f-folder'), folders);
  fill($('f-protocol'), protocols);
  ['allow', 'review', 'exclude'].forEach(function (d, i) { var n = document.querySelector('#verdict-filter [data-value=' + d + '] .n'); if (n) n.textContent = nf.format(byVerdict[i]); });
  var all = document.querySelector('#verdict-filter [data-value=all] .n'); if (all) all.textContent = nf.format(rows.length);

  var timer;
  $('q').addEventListener('input', function () { clearTimeout(timer); timer = setTimeout(function () { state.q = $('q').value.trim(); state.page = 0; render(); }, 120); });
  $('verdict-filter').addEventListener('click', function (e) { var b = e.target.closest('button'); if (!b) return; state.verdict = b.getAttribute('data-value'); state.page = 0; render(); });
  [['f-licence', 'licence'], ['f-protocol', 'protocol'], ['f-folder', 'folder'], ['f-signal', 'signal'], ['f-sort', 'sort']].forEach(function (p) {
    $(p[0]).addEventListener('change', function () { state[p[1]] = $(p[0]).value; state.page = 0; render(); });
  });
  $('reset').addEventListener('click', function () { state = { q: '', verdict: 'all', licence: '', protocol: '', folder: '', signal: '', page: 0, sort: state.sort }; open = {}; render(); });
  $('page-prev').addEventListener('click', function () { state.page--; render(); });
  $('page-next').addEventListener('click', function () { state.page++; render(); });

  // A click on a chart bar filters the table to what it counts.
  function fromChart(el) {
    state = { q: '', verdict: 'all', licence: '', protocol: '', folder: '', signal: '', page: 0, sort: state.sort };
    if (el.hasAttribute('data-verdict')) state.verdict = el.getAttribute('data-verdict');
    if (el.hasAttribute('data-licence')) state.licence = el.getAttribute('data-licence');
    if (el.hasAttribute('data-folder')) state.folder = el.getAttribute('data-folder');
    if (el.hasAttribute('data-protocol')) state.protocol = el.getAttribute('data-protocol');
    if (el.hasAttribute('data-signal')) state.signal = el.getAttribute('data-signal');
    render();
    $('files').scrollIntoView({ behavior: 'smooth', block: 'start' });
  }
  var clickable = document.querySelectorAll('.chart .clickable');
  for (var c = 0; c < clickable.length; c++) {
    clickable[c].addEventListener('click', function (e) { fromChart(e.currentTarget); });
    clickable[c].addEventListener('keydown', function (e) { if (e.key === 'Enter') fromChart(e.currentTarget); });
  }
  var cap = $('cap-note');
  if (cap && rows.length < Number(cap.getAttribute('data-files'))) { $('embedded-count').textContent = nf.format(rows.length); cap.hidden = false; }
  document.documentElement.classList.add('js');
  render();
})();
`;
