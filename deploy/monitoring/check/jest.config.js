// Checks of deploy/monitoring: promtool (config, rules, rule unit tests) and the Grafana dashboards.
module.exports = {
  ...require('../../../jest.preset.js'),
  displayName: 'monitoring',
  rootDir: __dirname,
  testTimeout: 60_000,
};
