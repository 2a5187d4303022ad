import { dropTestDatabase, freshTestDatabase, startStack } from "../test/stack.ts";

// Starts the real stack once for all e2e tests; the returned function stops it.
export default async function globalSetup() {
  await freshTestDatabase();
  const stack = await startStack();
  // Workers re-read the config, so the address travels in the environment.
  process.env.E2E_BASE_URL = stack.web.url;
  return async () => {
    await stack.stop();
    await dropTestDatabase();
  };
}
