import { verdict } from './verdict';

describe('verdict', () => {
  const ok = { target: 'api', uid: 65534, ready: true, healthcheckExit: 0, exitCode: 0, readOnly: true, output: [] };
  it('passes a clean run and names each failure', () => {
    expect(verdict(ok)).toEqual([]);
    expect(verdict({ ...ok, uid: 0, readOnly: false, ready: false, healthcheckExit: 1, exitCode: 1 })).toEqual([
      'ran as root',
      'the tree was writable by the app user',
      'never became ready (/ready 200)',
      'the image HEALTHCHECK exited 1',
      'did not exit 0 on SIGTERM (1)',
    ]);
    expect(verdict({ ...ok, target: 'streams', ready: false, healthcheckExit: null, exitCode: 2 })).toEqual(['setup job exited 2']);
  });
});
