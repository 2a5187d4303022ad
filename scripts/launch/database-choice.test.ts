import { describe, expect, it } from "vitest";
import { type ChoiceInputs, decideDatabase, localDatabaseUrl } from "./database-choice.ts";

const LOCAL = "postgresql://postgres@127.0.0.1:5432/bocloud";

/** The inputs of a first run with nothing configured; `answers` says whether a server is there. */
function inputs(over: Partial<ChoiceInputs> & { answers?: boolean } = {}) {
  const probes: string[] = [];
  const { answers = false, ...rest } = over;
  const all: ChoiceInputs = {
    configured: undefined,
    remembered: {},
    embeddedDataExists: false,
    localUrl: LOCAL,
    localServerAnswers: async () => {
      probes.push(LOCAL);
      return answers;
    },
    ...rest,
  };
  return { all, probes };
}

describe("decideDatabase", () => {
  it("on a first run with nothing configured: embedded when nothing answers, remembered", async () => {
    const { all, probes } = inputs({ answers: false });
    const d = await decideDatabase(all);
    expect(d.choice.kind).toBe("embedded");
    expect(d.remember).toEqual({ database: "embedded" });
    expect(probes).toHaveLength(1);
  });

  it("on a first run with nothing configured: the local server when it answers, remembered with its URL", async () => {
    const d = await decideDatabase(inputs({ answers: true }).all);
    expect(d.choice).toMatchObject({ kind: "external", url: LOCAL });
    expect(d.remember).toEqual({ database: "external", url: LOCAL });
  });

  it("keeps an install that began on an external server there while it is down, without asking", async () => {
    const { all, probes } = inputs({ remembered: { database: "external", url: LOCAL } });
    const d = await decideDatabase(all);
    expect(d.choice).toMatchObject({ kind: "external", url: LOCAL });
    expect(d.remember).toBeUndefined();
    expect(probes).toEqual([]);
  });

  it("keeps an embedded install embedded when a server appears, and when only its cluster is left", async () => {
    for (const over of [
      { remembered: { database: "embedded" as const } },
      { embeddedDataExists: true },
    ]) {
      const { all, probes } = inputs({ ...over, answers: true });
      const d = await decideDatabase(all);
      expect(d.choice.kind).toBe("embedded");
      expect(probes).toEqual([]);
    }
  });

  it("follows DATABASE_URL when set, and says so when that leaves the embedded data aside", async () => {
    const url = "postgresql://bocloud:secret@db.example:5432/bocloud";
    const plain = await decideDatabase(inputs({ configured: url }).all);
    expect(plain).toEqual({
      choice: { kind: "external", url, why: "DATABASE_URL" },
      warning: undefined,
    });
    const aside = await decideDatabase(inputs({ configured: url, embeddedDataExists: true }).all);
    expect(aside.choice.kind).toBe("external");
    expect(aside.warning).toMatch(/embedded PostgreSQL .* is not used/);
  });

  it("takes DATABASE_URL=embedded, remembering it, and warns when the install used another server", async () => {
    const d = await decideDatabase(inputs({ configured: "embedded" }).all);
    expect(d).toMatchObject({ choice: { kind: "embedded" }, remember: { database: "embedded" } });
    const moved = await decideDatabase(
      inputs({ configured: "embedded", remembered: { database: "external", url: LOCAL } }).all,
    );
    expect(moved.warning).toContain(LOCAL);
  });
});

describe("localDatabaseUrl", () => {
  it("is the default URL, on PGPORT when that is set", () => {
    expect(localDatabaseUrl({})).toBe(LOCAL);
    expect(localDatabaseUrl({ PGPORT: "6543" })).toBe(
      "postgresql://postgres@127.0.0.1:6543/bocloud",
    );
    expect(localDatabaseUrl({ PGPORT: "nope" })).toBe(LOCAL);
  });
});
