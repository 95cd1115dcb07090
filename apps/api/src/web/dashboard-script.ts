/**
 * The dashboard's browser script, served as /dashboard.js so the page needs no inline script (strict CSP).
 * Plain ES2017, no build step. It subscribes to /v1/stream (resuming from the last sequence after a reconnect),
 * polls /v1/prices/latest for each venue's state, `stale` and `asOf`, renders with textContent only, and shows
 * the SIMULATED DATA banner whenever the data on screen carries source "simulated".
 */
export const DASHBOARD_JS = String.raw`(function () {
  'use strict';
  var MAX_TRADES = 50;
  var POLL_MS = 5000;
  var $ = function (id) { return document.getElementById(id); };
  var sel = $('symbol');
  var symbol = new URLSearchParams(location.search).get('symbol') || sel.value;
  if (![].some.call(sel.options, function (o) { return o.value === symbol; })) symbol = sel.value;
  sel.value = symbol;

  var venues = {};
  var trades = [];
  var lastSeq = null;
  var ws = null;
  var retries = 0;
  var scheduled = false;

  function cell(tr, text, cls) {
    var td = document.createElement('td');
    td.textContent = text;
    if (cls) td.className = cls;
    tr.appendChild(td);
    return td;
  }
  function shortTime(iso) { return iso ? iso.replace('T', ' ').replace('Z', '') : ''; }

  function render() {
    scheduled = false;
    var tbody = $('venues');
    tbody.textContent = '';
    var names = Object.keys(venues).sort();
    var simulated = false;
    var newest = '';
    names.forEach(function (name) {
      var v = venues[name];
      if (v.source === 'simulated') simulated = true;
      if (v.asOf > newest) newest = v.asOf;
      var tr = document.createElement('tr');
      cell(tr, name);
      cell(tr, v.price, v.side === 'buy' ? 'buy' : v.side === 'sell' ? 'sell' : '');
      cell(tr, v.size);
      var st = cell(tr, '');
      var badge = document.createElement('span');
      badge.className = 'badge ' + (v.state || 'unknown');
      badge.textContent = v.state || 'unknown';
      st.appendChild(badge);
      cell(tr, v.stale ? 'STALE' : 'fresh', v.stale ? 'sell' : 'buy');
      cell(tr, shortTime(v.asOf));
      cell(tr, v.source);
      tbody.appendChild(tr);
    });
    if (names.length === 0) {
      var tr0 = document.createElement('tr');
      cell(tr0, 'no data for ' + symbol + ' yet', 'muted').colSpan = 7;
      tbody.appendChild(tr0);
    }
    var tb = $('trades');
    tb.textContent = '';
    trades.forEach(function (t) {
      if (t.source === 'simulated') simulated = true;
      var tr = document.createElement('tr');
      cell(tr, shortTime(t.venueTime));
      cell(tr, t.venue);
      cell(tr, t.side, t.side === 'buy' ? 'buy' : t.side === 'sell' ? 'sell' : '');
      cell(tr, t.price);
      cell(tr, t.size);
      tb.appendChild(tr);
    });
    $('simulated').className = simulated ? 'on' : '';
    $('asof').textContent = newest ? 'as of ' + shortTime(newest) + ' UTC' : '';
  }
  function dirty() {
    if (!scheduled) { scheduled = true; requestAnimationFrame(render); }
  }
  function status(text) { $('conn').textContent = text; }

  function onTrades(items) {
    items.forEach(function (t) {
      if (t.symbol !== symbol) return;
      if (lastSeq === null || t.seq > lastSeq) lastSeq = t.seq;
      var v = venues[t.venue] || (venues[t.venue] = { state: 'unknown' });
      if (!v.venueTime || t.venueTime >= v.venueTime) {
        v.price = t.price; v.size = t.size; v.side = t.side; v.venueTime = t.venueTime;
        v.asOf = t.asOf > (v.asOf || '') ? t.asOf : v.asOf;
        v.stale = t.stale; v.source = t.source;
      }
      trades.unshift(t);
    });
    if (trades.length > MAX_TRADES) trades.length = MAX_TRADES;
    dirty();
  }

  function send(msg) { if (ws && ws.readyState === 1) ws.send(JSON.stringify(msg)); }
  function subscribe() {
    var m = { op: 'subscribe', channel: 'trades', symbol: symbol };
    if (lastSeq !== null) m.fromSeq = lastSeq;
    send(m);
  }

  function connect() {
    var url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/v1/stream';
    ws = new WebSocket(url);
    status('connecting...');
    ws.onopen = function () { retries = 0; status('live'); subscribe(); };
    ws.onmessage = function (ev) {
      var f;
      try { f = JSON.parse(ev.data); } catch (e) { return; }
      if (!f || f.v !== 1 || !Array.isArray(f.data)) return;
      if (f.type === 'trades') onTrades(f.data);
      else if (f.type === 'error') {
        f.data.forEach(function (e) { status(e.code === 'resume_unavailable' ? 'live (some trades missed while away)' : 'error: ' + e.code); });
      }
    };
    ws.onclose = function (ev) {
      ws = null;
      var wait = Math.min(10000, 500 * Math.pow(2, retries++)) + Math.floor(Math.random() * 250);
      status('disconnected (' + ev.code + '), retrying in ' + Math.round(wait / 1000) + ' s');
      setTimeout(connect, wait);
    };
  }

  function poll() {
    fetch('/v1/prices/latest?symbol=' + encodeURIComponent(symbol), { cache: 'no-store' })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (body) {
        if (!body || body.symbol !== symbol) return;
        body.venues.forEach(function (p) {
          var v = venues[p.venue] || (venues[p.venue] = {});
          v.state = p.state; v.stale = p.stale; v.source = p.source;
          if (!v.venueTime || p.venueTime >= v.venueTime) {
            v.price = p.price; v.size = p.size; v.side = p.side; v.venueTime = p.venueTime;
          }
          if (!v.asOf || p.asOf > v.asOf) v.asOf = p.asOf;
        });
        dirty();
      })
      .catch(function () { /* the stream status shows connectivity */ });
  }

  sel.addEventListener('change', function () {
    send({ op: 'unsubscribe', channel: 'trades', symbol: symbol });
    symbol = sel.value;
    history.replaceState(null, '', '?symbol=' + encodeURIComponent(symbol));
    venues = {}; trades = []; lastSeq = null;
    subscribe(); poll(); dirty();
  });

  connect();
  poll();
  setInterval(poll, POLL_MS);
  dirty();
})();
`;
