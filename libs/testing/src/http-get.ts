import http from 'node:http';

export interface HttpResult {
  status: number;
  body: string;
}

/**
 * A plain GET without keep-alive. The global fetch pools sockets that outlive the test and make jest report
 * open handles; a monitoring probe needs none of that.
 */
export function httpGet(url: string, timeoutMs = 2000): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url}: no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
  });
}

export async function httpGetJson<T = unknown>(url: string, timeoutMs = 2000): Promise<T> {
  const r = await httpGet(url, timeoutMs);
  if (r.status !== 200) throw new Error(`GET ${url}: HTTP ${r.status} ${r.body.slice(0, 300)}`);
  return JSON.parse(r.body) as T;
}
