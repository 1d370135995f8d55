/**
 * The app type the route modules register on: a Fastify instance with the zod type provider, so
 * `request.body`, `params` and `query` are inferred from each route's schemas. In a module of its
 * own, reached from no public entry point: the package's declarations (`spool/server`) must not
 * pull in fastify-type-provider-zod's, which do not resolve in a consumer's project
 * (test/package "a TypeScript consumer type-checks").
 */
import type {
  FastifyBaseLogger,
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";

/** A Fastify app with zod-typed routes: `request.body/params/query` are inferred from the schemas. */
export type ZodApp = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  ZodTypeProvider
>;
