module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'persister',
  rootDir: __dirname,
};
