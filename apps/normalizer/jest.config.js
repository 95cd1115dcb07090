module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'normalizer',
  rootDir: __dirname,
};
