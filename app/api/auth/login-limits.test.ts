import { describe, expect, it } from "vitest";
import { parseConfig } from "@/lib/config.ts";
import { operatorApi, webUrl } from "@/test/http.ts";

// The test stack runs with the default limits.
const { LOGIN_MAX_FAILURES, LOGIN_ACCOUNT_MAX_FAILURES } = parseConfig({});
const ADDRESS_MAX_FAILURES = LOGIN_MAX_FAILURES * 4;

let counter = 0;
/** A client address no other test uses (the app reads the last X-Forwarded-For entry). */
const newAddress = () => `198.51.${Math.floor(counter / 250)}.${(counter++ % 250) + 1}`;

interface Answer {
  status: number;
  code?: string;
  retryAfter: number;
}

async function call(path: string, body: unknown, address: string): Promise<Answer> {
  const res = await fetch(webUrl(path), {
    method: "POST",
    headers: {
      "content-type": "application/json",
      origin: webUrl(),
      "x-forwarded-for": address,
    },
    body: JSON.stringify(body),
  });
  const json = await res.json().catch(() => null);
  return {
    status: res.status,
    code: json?.error?.code,
    retryAfter: Number(res.headers.get("retry-after")),
  };
}

const signIn = (username: string, password: string, address: string) =>
  call("/api/auth/login", { username, password }, address);

async function newViewer(): Promise<{ username: string; password: string }> {
  const user = { username: `limited-${counter++}-${process.pid}`, password: "the right password" };
  const res = await operatorApi("POST", webUrl("/api/users"), { ...user, role: "viewer" });
  expect(res.status).toBe(201);
  return user;
}

function tally(answers: Answer[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const a of answers) counts[a.status] = (counts[a.status] ?? 0) + 1;
  return counts;
}

function expectRateLimited(answers: Answer[]): void {
  for (const a of answers.filter((x) => x.status === 429)) {
    expect(a.code).toBe("rate_limited");
    expect(a.retryAfter).toBeGreaterThan(0);
  }
}

describe("sign-in limits hold under concurrency", () => {
  it("counts each attempt before checking the password: 200 at once for one account give at most LOGIN_MAX_FAILURES 401s", async () => {
    const user = await newViewer();
    const address = newAddress();
    const answers = await Promise.all(
      Array.from({ length: 200 }, () => signIn(user.username, "a wrong password", address)),
    );
    const counts = tally(answers);
    expect(counts[401] ?? 0).toBeLessThanOrEqual(LOGIN_MAX_FAILURES);
    expect((counts[401] ?? 0) + (counts[429] ?? 0)).toBe(200);
    expectRateLimited(answers);
  });

  it("lets no right password in once a burst has spent the limit", async () => {
    const user = await newViewer();
    const address = newAddress();
    const wrong = Array.from({ length: 39 }, () =>
      signIn(user.username, "a wrong password", address),
    );
    // The 40th of the burst, sent once the first wrong one has been answered.
    await Promise.race(wrong);
    const right = await signIn(user.username, user.password, address);
    expect(right.status).toBe(429);
    const counts = tally(await Promise.all(wrong));
    expect(counts[401] ?? 0).toBeLessThanOrEqual(LOGIN_MAX_FAILURES);
  });

  it("limits one address over many accounts: 200 at once give at most 4 × LOGIN_MAX_FAILURES 401s", async () => {
    const address = newAddress();
    const answers = await Promise.all(
      Array.from({ length: 200 }, (_, i) => signIn(`nobody-${i}`, "a wrong password", address)),
    );
    const counts = tally(answers);
    expect(counts[401] ?? 0).toBeLessThanOrEqual(ADDRESS_MAX_FAILURES);
    expect((counts[401] ?? 0) + (counts[429] ?? 0)).toBe(200);
    expectRateLimited(answers);
  });
});

describe("failed sign-ins cannot lock an account's owner out", () => {
  it("refuses the attacker's address but lets the owner in from another", async () => {
    const user = await newViewer();
    const attacker = newAddress();
    const attempts: number[] = [];
    for (let i = 0; i < LOGIN_MAX_FAILURES + 3; i++) {
      attempts.push((await signIn(user.username, "a wrong password", attacker)).status);
    }
    expect(attempts).toEqual([...Array(LOGIN_MAX_FAILURES).fill(401), ...Array(3).fill(429)]);
    expect((await signIn(user.username, user.password, newAddress())).status).toBe(200);
  });

  it("stops guessing from many addresses at the per-account ceiling (LOGIN_ACCOUNT_MAX_FAILURES)", async () => {
    const user = await newViewer();
    const addresses = Array.from(
      { length: Math.ceil(LOGIN_ACCOUNT_MAX_FAILURES / LOGIN_MAX_FAILURES) },
      newAddress,
    );
    const answers = await Promise.all(
      addresses.flatMap((address) =>
        Array.from({ length: LOGIN_MAX_FAILURES + 1 }, () =>
          signIn(user.username, "a wrong password", address),
        ),
      ),
    );
    expect(tally(answers)[401]).toBe(LOGIN_ACCOUNT_MAX_FAILURES);
    const fresh = await signIn(user.username, "a wrong password", newAddress());
    expect(fresh.status).toBe(429);
    expect(fresh.retryAfter).toBeGreaterThan(0);
  });

  it("does not count a successful sign-in as a failure", async () => {
    const user = await newViewer();
    const address = newAddress();
    for (let i = 0; i < LOGIN_MAX_FAILURES * 2; i++) {
      expect((await signIn(user.username, user.password, address)).status).toBe(200);
    }
    for (let i = 0; i < LOGIN_MAX_FAILURES - 1; i++) {
      expect((await signIn(user.username, "a wrong password", address)).status).toBe(401);
    }
    expect((await signIn(user.username, user.password, address)).status).toBe(200);
  });
});

describe("first-run setup once an admin exists", () => {
  const setup = (address: string) =>
    call("/api/auth/setup", { username: "intruder", password: "a long password" }, address);

  async function medianMs(run: () => Promise<unknown>, times: number): Promise<number> {
    const ms: number[] = [];
    for (let i = 0; i < times; i++) {
      const started = performance.now();
      await run();
      ms.push(performance.now() - started);
    }
    return ms.sort((a, b) => a - b)[Math.floor(times / 2)];
  }

  it("refuses at once, without hashing the password first", async () => {
    const address = newAddress();
    expect((await setup(address)).status).toBe(409);
    // A wrong sign-in spends one argon2 verification, as long as hashing a password: a refused
    // setup must cost far less (before it hashed first, the two took as long).
    let i = 0;
    const signInMs = await medianMs(
      () => signIn(`unknown-${i++}`, "a wrong password", newAddress()),
      7,
    );
    const setupMs = await medianMs(() => setup(address), 7);
    expect(setupMs).toBeLessThan(signInMs / 2);
  });

  it("limits setup attempts per address (429 with Retry-After)", async () => {
    const address = newAddress();
    const answers = await Promise.all(
      Array.from({ length: ADDRESS_MAX_FAILURES + 10 }, () => setup(address)),
    );
    expect(tally(answers)).toEqual({ 409: ADDRESS_MAX_FAILURES, 429: 10 });
    expectRateLimited(answers);
    // Another address is not affected.
    expect((await setup(newAddress())).status).toBe(409);
  });
});
