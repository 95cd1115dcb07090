import type { Request, Response } from 'express';
import type { ReadSwitch } from '../read/read-switch';

/**
 * GET /v1/status: which Redis the api reads from and how current each projection is (decision 10):
 * `{readTarget, switches, switchedAt, streamLastSeq, primary: {up, host, port, group, checkpoint, lagEvents,
 * downSince}, standby: {...} | null}`. Answered from the switch's last probe, so it works with both Redis down.
 */
export function statusRoute(s: Pick<ReadSwitch, 'status'>) {
  return (_req: Request, res: Response): void => {
    res.set('cache-control', 'no-store').json(s.status());
  };
}
