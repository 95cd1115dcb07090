/**
 * The dashboard page: static HTML, inline CSS (helmet's default CSP allows inline styles, not inline scripts),
 * and its script at /dashboard.js. Symbols come from API_SYMBOLS, which config has already checked against the
 * BASE-QUOTE pattern, so they contain no markup characters; they are escaped anyway.
 */
const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function dashboardHtml(symbols: readonly string[]): string {
  const options = symbols.map((s) => `<option value="${esc(s)}">${esc(s)}</option>`).join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Feed - live BTC</title>
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 0; background: #0f1419; color: #e6e6e6; }
  header { display: flex; gap: 1rem; align-items: center; padding: .75rem 1rem; background: #161d26; }
  h1 { font-size: 1.1rem; margin: 0; }
  main { padding: 1rem; display: grid; gap: 1rem; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); }
  section { background: #161d26; border-radius: 6px; padding: .75rem; }
  h2 { font-size: .95rem; margin: 0 0 .5rem; color: #9fb3c8; }
  table { width: 100%; border-collapse: collapse; font-variant-numeric: tabular-nums; }
  th, td { text-align: left; padding: .25rem .4rem; border-bottom: 1px solid #243040; white-space: nowrap; }
  th { color: #9fb3c8; font-weight: 600; }
  .buy { color: #3fb950; } .sell { color: #f85149; }
  .badge { padding: 0 .4rem; border-radius: 3px; font-size: .8rem; }
  .live { background: #1f6f3a; } .stale, .reconnecting, .down, .unknown { background: #8a5a00; } .down { background: #8b1e1e; }
  #conn { margin-left: auto; font-size: .85rem; }
  #simulated { display: none; background: #b8860b; color: #000; text-align: center; font-weight: 800; font-size: 1.2rem;
    letter-spacing: .2em; padding: .5rem; }
  #simulated.on { display: block; }
  .muted { color: #7d8b99; }
  @media (max-width: 800px) { main { grid-template-columns: 1fr; } }
</style>
</head>
<body>
<div id="simulated" role="alert">SIMULATED DATA - not real market prices</div>
<header>
  <h1>Feed</h1>
  <label>Symbol <select id="symbol">${options}</select></label>
  <span id="asof" class="muted"></span>
  <span id="conn" class="muted">connecting...</span>
</header>
<main>
  <section>
    <h2>Latest price by venue</h2>
    <table>
      <thead><tr><th>Venue</th><th>Price</th><th>Size</th><th>State</th><th>Stale</th><th>As of (UTC)</th><th>Source</th></tr></thead>
      <tbody id="venues"><tr><td colspan="7" class="muted">waiting for data...</td></tr></tbody>
    </table>
  </section>
  <section>
    <h2>Last trades</h2>
    <table>
      <thead><tr><th>Time (UTC)</th><th>Venue</th><th>Side</th><th>Price</th><th>Size</th></tr></thead>
      <tbody id="trades"></tbody>
    </table>
  </section>
</main>
<script src="/dashboard.js"></script>
</body>
</html>
`;
}
