// Keeps writing through ioredis's Sentinel support for a while and reports what happened.
//   node sentinel_writer.js <sentinel-port,...> <master-name> <duration-ms>
// Prints one JSON line at the end: {"acked":N,"errors":N,"ports":[master ports written to],
// "lastPort":P}; plus a "ready" line once the first write was acknowledged, so the test knows
// when to start breaking things.
"use strict";
const Redis = require("ioredis");

const [portsArg, name, durationArg] = process.argv.slice(2);
const sentinels = portsArg.split(",").map((p) => ({ host: "127.0.0.1", port: Number(p) }));
const duration = Number(durationArg);

const redis = new Redis({
  sentinels,
  name,
  sentinelRetryStrategy: () => 100,
  retryStrategy: () => 100,
  maxRetriesPerRequest: 1,
  enableOfflineQueue: true,
  connectTimeout: 1000,
  commandTimeout: 1000,
});
redis.on("error", () => {});

let acked = 0;
let errors = 0;
let readyPrinted = false;
const ports = [];
const start = Date.now();

async function loop() {
  let i = 0;
  while (Date.now() - start < duration) {
    i += 1;
    try {
      await redis.set("ioredis:" + i, String(i));
      acked += 1;
      const port = redis.stream && redis.stream.remotePort;
      if (port && ports[ports.length - 1] !== port) ports.push(port);
      if (!readyPrinted) {
        readyPrinted = true;
        console.log(JSON.stringify({ ready: true, port }));
      }
    } catch (e) {
      errors += 1;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  console.log(JSON.stringify({ acked, errors, ports, lastPort: ports[ports.length - 1] }));
  redis.disconnect();
}

loop().catch((e) => {
  console.log(JSON.stringify({ fatal: String(e) }));
  process.exit(1);
});
