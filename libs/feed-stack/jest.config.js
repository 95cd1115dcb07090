module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'feed-stack',
  rootDir: __dirname,
};
