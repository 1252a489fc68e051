import { describe, expect, it } from "vitest";
import { RepoSlot } from "../../../src/adapters/git/repo-slot.js";

describe("RepoSlot", () => {
  it("wakes every waiter on notify", async () => {
    const slot = new RepoSlot();
    const woken: number[] = [];
    const waits = [1, 2].map((n) => slot.changed().then(() => woken.push(n)));
    slot.notify();
    await Promise.all(waits);
    expect(woken.sort()).toEqual([1, 2]);
  });

  it("rejects with the abort reason, before or while waiting", async () => {
    const slot = new RepoSlot();
    await expect(slot.changed(AbortSignal.abort(new Error("already")))).rejects.toThrow("already");
    const controller = new AbortController();
    const waiting = slot.changed(controller.signal);
    controller.abort("not an error");
    await expect(waiting).rejects.toThrow("aborted");
    slot.notify(); // the aborted waiter is gone; nothing throws
  });

  it("is idle only with no readers, no holder and no waiters", () => {
    const slot = new RepoSlot();
    expect(slot.idle).toBe(true);
    slot.waiting = 1;
    expect(slot.idle).toBe(false);
    slot.waiting = 0;
    slot.readers = 1;
    expect(slot.idle).toBe(false);
  });
});
