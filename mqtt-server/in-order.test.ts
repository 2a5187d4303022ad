import { describe, expect, it } from "vitest";
import { InOrder } from "./in-order.ts";

describe("InOrder", () => {
  it("runs callbacks in the order their slots were taken", () => {
    const order = new InOrder();
    const ran: number[] = [];
    const [a, b, c] = [order.add(), order.add(), order.add()];
    c(() => ran.push(3));
    b(() => ran.push(2));
    expect(ran).toEqual([]);
    a(() => ran.push(1));
    expect(ran).toEqual([1, 2, 3]);
    const d = order.add();
    d(() => ran.push(4));
    expect(ran).toEqual([1, 2, 3, 4]);
  });
});
