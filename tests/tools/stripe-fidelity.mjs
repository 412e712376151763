// Drives the official Stripe Node SDK against a Stripe-compatible server and prints what it saw as JSON.
// usage: node stripe-fidelity.mjs <mode> <baseUrl> <apiKey> [args...]
//   list <gte> <lt>          auto-paginates charges created in [gte, lt): ids and created, in SDK order
//   events <type>            auto-paginates events of one type: ids and types
//   missing <id>             retrieves a charge that does not exist: the SDK error
//   burst <count>            sends <count> list requests at once: the SDK error types seen
import Stripe from 'stripe';

const [mode, baseUrl, apiKey, ...args] = process.argv.slice(2);
const url = new URL(baseUrl);
const stripe = new Stripe(apiKey, {
  host: url.hostname,
  port: Number(url.port),
  protocol: url.protocol.replace(':', ''),
  maxNetworkRetries: 0,
  timeout: 30000,
});

const describe = (error) => ({ type: error.type, statusCode: error.statusCode, code: error.code ?? null, param: error.param ?? null });

async function run() {
  switch (mode) {
    case 'list': {
      const [gte, lt] = args.map(Number);
      const charges = await stripe.charges.list({ created: { gte, lt }, limit: 100 }).autoPagingToArray({ limit: 10000 });
      return { ids: charges.map((c) => c.id), created: charges.map((c) => c.created) };
    }
    case 'events': {
      const events = await stripe.events.list({ type: args[0], limit: 100 }).autoPagingToArray({ limit: 10000 });
      return { ids: events.map((e) => e.id), types: events.map((e) => e.type) };
    }
    case 'missing': {
      try {
        await stripe.charges.retrieve(args[0]);
        return { error: null };
      } catch (error) {
        return { error: describe(error) };
      }
    }
    case 'burst': {
      const results = await Promise.allSettled(Array.from({ length: Number(args[0]) }, () => stripe.charges.list({ limit: 1 })));
      return {
        ok: results.filter((r) => r.status === 'fulfilled').length,
        errors: results.filter((r) => r.status === 'rejected').map((r) => describe(r.reason)),
      };
    }
    default:
      throw new Error(`unknown mode ${mode}`);
  }
}

run().then(
  (result) => process.stdout.write(JSON.stringify(result)),
  (error) => {
    process.stderr.write(String(error?.stack ?? error));
    process.exit(1);
  },
);
