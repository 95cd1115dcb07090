module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'swarm',
  rootDir: __dirname,
};
