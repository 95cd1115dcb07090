module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'venue-sim',
  rootDir: __dirname,
};
