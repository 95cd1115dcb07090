module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'image-rehearsal',
  rootDir: __dirname,
};
