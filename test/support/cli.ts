import { runIdtokenCli } from '../../apps/idp/src/cli/idtoken.js';

/** `npm run idtoken -- …` without the build step: the same function, in this process, its output captured. */
export async function runIdtoken(
  args: string[],
  env: Record<string, string | undefined>,
): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runIdtokenCli(args, env, {
    out: (text) => (out += text),
    err: (text) => (err += text),
  });
  return { code, out, err };
}
