module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'price-types',
  rootDir: __dirname,
};
