import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';

export type ServerBinary = 'nats-server' | 'redis-server' | 'redis-sentinel';

const PACKAGE: Record<ServerBinary, string> = {
  'nats-server': 'nats-server',
  'redis-server': 'redis-server',
  'redis-sentinel': 'redis-sentinel',
};

// Debian installs nats-server into /usr/sbin, which is missing from many users' PATH.
const EXTRA_DIRS = ['/usr/sbin', '/usr/bin', '/usr/local/sbin', '/usr/local/bin'];

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** Absolute path of a server binary from the OS packages, or an error that says how to install it. */
export function findBinary(
  name: ServerBinary,
  searchPath: string = process.env['PATH'] ?? '',
  fallbackDirs: readonly string[] = EXTRA_DIRS,
): string {
  const dirs = [...searchPath.split(path.delimiter).filter(Boolean), ...fallbackDirs];
  for (const dir of new Set(dirs)) {
    const candidate = path.join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  throw new Error(
    `${name} not found in PATH or ${fallbackDirs.join(', ') || '(no fallback dirs)'}. ` +
      `Install it with: sudo apt-get install -y ${PACKAGE[name]}  (Debian/Ubuntu)`,
  );
}
