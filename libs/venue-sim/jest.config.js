module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'venue-sim-lib',
  rootDir: __dirname,
};
