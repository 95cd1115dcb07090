import type { Express } from 'express';
import { dashboardHtml } from '../web/dashboard-page';
import { DASHBOARD_JS } from '../web/dashboard-script';

/** GET /dashboard (page) and /dashboard.js (its script, a separate route so the default CSP allows it). */
export function mountDashboard(app: Express, symbols: readonly string[]): void {
  const html = dashboardHtml(symbols);
  app.get('/dashboard', (_req, res) => {
    res.type('html').set('cache-control', 'no-cache').send(html);
  });
  app.get('/dashboard.js', (_req, res) => {
    res.type('application/javascript').set('cache-control', 'no-cache').send(DASHBOARD_JS);
  });
}
