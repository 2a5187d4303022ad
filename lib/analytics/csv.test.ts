import { describe, expect, it } from "vitest";
import { CSV_HEADER, csvField, csvRecord, neutraliseFormula } from "./csv.ts";

describe("CSV export encoding", () => {
  it("quotes fields with commas, quotes and line breaks (RFC 4180)", () => {
    expect(csvField("plain")).toBe("plain");
    expect(csvField("a,b")).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField("l1\nl2")).toBe('"l1\nl2"');
    expect(csvField("cr\r")).toBe('"cr\r"');
    expect(csvField("")).toBe("");
  });

  it("puts an apostrophe before text a spreadsheet would run, and before a leading apostrophe", () => {
    for (const text of ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "'x"]) {
      expect(neutraliseFormula(text)).toBe(`'${text}`);
      // Undoing it: drop one leading apostrophe.
      expect(neutraliseFormula(text).slice(1)).toBe(text);
    }
    for (const text of ["a=1", "1+1", "", " =1", "x'"]) expect(neutraliseFormula(text)).toBe(text);
  });

  it("quotes a field holding a semicolon or a tab too: the separators of other locales", () => {
    expect(csvField("a;b")).toBe('"a;b"');
    expect(csvField("a\tb")).toBe('"a\tb"');
  });

  it("defuses a formula lead after a separator or line break, where a reader may start a cell", () => {
    expect(neutraliseFormula("x;=cmd|' /C calc'!A0;")).toBe("x;'=cmd|' /C calc'!A0;");
    const cases: [string, string][] = [
      ["a,=1", "a,'=1"],
      ["a;+1", "a;'+1"],
      ["a\t-1", "a\t'-1"],
      ["a\n@x", "a\n'@x"],
      ["a\r\n=x", "a\r\n'=x"],
      ["a;'b", "a;''b"],
      ["a;;=1", "a;;'=1"],
      ["=1;=2", "'=1;'=2"],
      ["\t\t=1", "'\t'\t'=1"],
      ["a;b=1", "a;b=1"],
      ["a; =1", "a; =1"],
    ];
    for (const [text, guarded] of cases) {
      expect(neutraliseFormula(text), JSON.stringify(text)).toBe(guarded);
      // Undoing it: drop one apostrophe at the start and after each separator or line break.
      expect(guarded.replace(/(^|[,;\t\r\n])'/g, "$1")).toBe(text);
    }
  });

  it("writes one record per reading with its value type; numbers and booleans as they are", () => {
    const base = {
      id: 7,
      device_id: "gh-1",
      sensor_id: 3,
      sensor_type: "t",
      ts: "2026-01-01T00:00:00.000Z",
    };
    expect(CSV_HEADER).toBe("id,device_id,sensor_id,sensor_type,value,value_type,ts\r\n");
    expect(csvRecord({ ...base, value: -5 })).toBe(
      "7,gh-1,3,t,-5,number,2026-01-01T00:00:00.000Z\r\n",
    );
    expect(csvRecord({ ...base, value: 1e300 })).toBe(
      "7,gh-1,3,t,1e+300,number,2026-01-01T00:00:00.000Z\r\n",
    );
    expect(csvRecord({ ...base, value: false })).toBe(
      "7,gh-1,3,t,false,boolean,2026-01-01T00:00:00.000Z\r\n",
    );
    expect(csvRecord({ ...base, value: '=HYPERLINK("x")' })).toBe(
      `7,gh-1,3,t,"'=HYPERLINK(""x"")",string,2026-01-01T00:00:00.000Z\r\n`,
    );
    expect(csvRecord({ ...base, value: "x;=cmd|' /C calc'!A0;" })).toBe(
      `7,gh-1,3,t,"x;'=cmd|' /C calc'!A0;",string,2026-01-01T00:00:00.000Z\r\n`,
    );
  });
});
