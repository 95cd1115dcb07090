// End-to-end tests spawn the compiled apps (dist/) as separate processes against real nats-server and
// redis-server, so they run one file at a time (decision 12) with long per-test timeouts.
module.exports = {
  ...require('../jest.preset.js'),
  displayName: 'e2e',
  rootDir: __dirname,
  testMatch: ['**/*.e2e.spec.ts'],
  maxWorkers: 1,
  testTimeout: 240_000,
};
