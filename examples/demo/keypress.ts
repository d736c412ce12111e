import { createInterface } from 'node:readline';

/** Single keypresses from a terminal (nothing when stdin is not one); Ctrl-C still stops the demo. */
export function listenToKeys(onKey: (key: string) => void): { close(): void } {
  if (!process.stdin.isTTY) return { close() {} };
  const input = process.stdin;
  input.setRawMode(true);
  input.setEncoding('utf8');
  const onData = (key: string) => {
    if (key === '\u0003') process.kill(process.pid, 'SIGINT');
    else onKey(key.toLowerCase());
  };
  input.on('data', onData);
  input.resume();
  // readline keeps Ctrl-C and terminal state sane if the process dies.
  const rl = createInterface({ input, terminal: false });
  return {
    close() {
      input.off('data', onData);
      input.setRawMode(false);
      rl.close();
      input.pause();
    },
  };
}
