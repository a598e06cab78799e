import { createServer } from 'node:net';

/** The range this project's tests may listen in on a machine shared with other engineers. */
const FIRST = 17_000;
const LAST = 17_999;

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => {
      resolve(false);
    });
    server.listen(port, '127.0.0.1', () => {
      server.close(() => {
        resolve(true);
      });
    });
  });
}

/** `count` ports of 127.0.0.1 in 17000-17999 that nothing listens on now, from a random start. */
export async function freePorts(count: number): Promise<number[]> {
  const span = LAST - FIRST + 1;
  const start = Math.floor(Math.random() * span);
  const ports: number[] = [];
  for (let i = 0; i < span && ports.length < count; i++) {
    const port = FIRST + ((start + i) % span);
    if (await isFree(port)) ports.push(port);
  }
  if (ports.length < count)
    throw new Error(`only ${String(ports.length)} free ports in ${String(FIRST)}-${String(LAST)}`);
  return ports;
}
