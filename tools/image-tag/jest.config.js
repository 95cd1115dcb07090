module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'image-tag',
  rootDir: __dirname,
};
