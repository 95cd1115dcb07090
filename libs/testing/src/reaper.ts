import { spawn, type ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';

// A tiny detached Node process that learns our children's pids and temp dirs over its stdin. When that pipe
// closes for any reason, including this process being SIGKILLed by a jest timeout (when no 'exit' handler
// runs), it SIGKILLs the children and removes the dirs. Detached, so a Ctrl-C to our group does not take it
// down before it has done its job.
const SCRIPT = `
const fs = require('node:fs');
const pids = new Set(), dirs = new Set();
let buf = '', reaped = false;
process.on('SIGINT', () => {});
const reap = () => {
  if (reaped) return; reaped = true;
  for (const p of pids) { try { process.kill(p, 'SIGKILL'); } catch {} }
  for (const d of dirs) { try { fs.rmSync(d, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 }); } catch {} }
  process.exit(0);
};
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  buf += chunk;
  let i;
  while ((i = buf.indexOf('\\n')) >= 0) {
    const line = buf.slice(0, i); buf = buf.slice(i + 1);
    const op = line[0], arg = line.slice(2);
    if (op === '+') pids.add(Number(arg)); else if (op === '-') pids.delete(Number(arg));
    else if (op === 'd') dirs.add(arg); else if (op === 'r') dirs.delete(arg);
  }
});
process.stdin.on('end', reap); process.stdin.on('close', reap); process.stdin.on('error', reap);
`;

export class Reaper {
  private proc: ChildProcess | undefined;

  private send(line: string): void {
    if (!this.proc) {
      this.proc = spawn(process.execPath, ['-e', SCRIPT], { detached: true, stdio: ['pipe', 'ignore', 'ignore'], env: {} });
      this.proc.on('error', () => undefined);
      this.proc.stdin?.on('error', () => undefined);
      // Neither the reaper nor its pipe may keep the test process alive.
      this.proc.unref();
      (this.proc.stdin as unknown as Socket | null)?.unref();
    }
    this.proc.stdin?.write(`${line}\n`);
  }

  addPid(pid: number): void {
    this.send(`+ ${pid}`);
  }
  removePid(pid: number): void {
    if (this.proc) this.send(`- ${pid}`);
  }
  addDir(dir: string): void {
    this.send(`d ${dir}`);
  }
  removeDir(dir: string): void {
    if (this.proc) this.send(`r ${dir}`);
  }

  /** Ends the reaper once nothing is tracked; it has nothing left to do. */
  close(): void {
    this.proc?.stdin?.end();
    this.proc = undefined;
  }
}
