/**
 * Whether an address reaches only this machine. The emulator serves, and fetches import links, only there: it takes
 * any bearer token and hands out secrets to whoever asks, and it works offline.
 */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  return bare === 'localhost' || bare === '::1' || /^127\.\d+\.\d+\.\d+$/.test(bare) || /^::ffff:127\./.test(bare);
}
