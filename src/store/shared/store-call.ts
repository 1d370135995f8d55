/**
 * The parameter and result types of one `Store` method, by name: the two store classes declare
 * their delegating methods with these, so the contract (contract/*.ts) states each type once.
 */
import type { Store } from "../store.js";

/** The names of the contract's methods. */
type StoreMethod = {
  [K in keyof Store]: Store[K] extends (...args: never[]) => unknown ? K : never;
}[keyof Store];

/** The params object of `Store[K]`. */
export type StoreParams<K extends StoreMethod> = Parameters<Store[K]>[0];

/** The promised result of `Store[K]`. */
export type StoreResult<K extends StoreMethod> = ReturnType<Store[K]>;
