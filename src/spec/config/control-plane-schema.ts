/**
 * The control-plane part of `jevons.yaml`: the admin API's token and the customer plans the whale report compares
 * LLM cost against. Strict like the rest of the schema; every key is documented in docs/config.md and docs/admin-api.md.
 */
import { z } from 'zod';

const name = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'letters, digits, ".", "-" and "_"');

const adminSchema = z
  .object({
    /**
     * Environment variable holding the admin token (Authorization: Bearer). Separate from virtual keys: a virtual key
     * never opens the admin API. When the variable is unset the admin API answers 503 saying so.
     */
    token_env: z.string().min(1).default('JEVONS_ADMIN_TOKEN'),
    /** IANA time zone the admin API buckets days, weeks and months in unless a request names one. */
    timezone: z.string().min(1).default('UTC'),
  })
  .strict()
  .prefault({});

const planSchema = z
  .object({
    name,
    /** What the customer pays per month for the plan, USD. */
    monthly_price_usd: z.number().nonnegative(),
    /** LLM usage the plan includes per month, USD (informational; the whale report compares cost to price). */
    included_usage_usd: z.number().nonnegative().optional(),
  })
  .strict();

const telemetrySchema = z
  .object({
    /** OTLP/HTTP (JSON) traces endpoint, e.g. http://collector:4318/v1/traces; absent = no export. */
    otlp_endpoint: z.url().optional(),
    /** Headers sent with every export, each value read from the named environment variable (auth tokens). */
    otlp_headers_env: z.record(z.string().min(1), z.string().min(1)).default({}),
    service_name: z.string().min(1).default('jevons'),
  })
  .strict()
  .prefault({});

export const controlPlaneSchemas = {
  /** OpenTelemetry export of one span per request with the GenAI semantic-convention attribute names. */
  telemetry: telemetrySchema,
  admin: adminSchema,
  plans: z.array(planSchema).default([]),
  /** Customer id (attribution `customer`) -> plan name. The admin API can change the mapping at run time. */
  customers: z.record(z.string().min(1), name).default({}),
};

export type AdminConfig = z.output<typeof adminSchema>;
export type PlanConfig = z.output<typeof planSchema>;
export type TelemetryConfig = z.output<typeof telemetrySchema>;
