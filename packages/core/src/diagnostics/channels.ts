import diagnosticsChannel, { type Channel } from "node:diagnostics_channel";
import type { ChannelName, ChannelPayloads } from "./events.js";

/**
 * Every `node:diagnostics_channel` channel modelpool publishes on, declared here and nowhere else:
 * `modelpool:<event>` for each lifecycle event, `modelpool:decided` and `modelpool:warning`. A message is
 * built and published only when the channel has a subscriber (nobody listening costs one property read).
 * Channels are process-wide: a subscriber sees the events of every pool (and every copy of modelpool) in
 * the process.
 */
export const channels: { readonly [N in ChannelName]: Channel } = Object.freeze({
  spawnStarted: diagnosticsChannel.channel("modelpool:spawnStarted"),
  spawnReady: diagnosticsChannel.channel("modelpool:spawnReady"),
  spawnFailed: diagnosticsChannel.channel("modelpool:spawnFailed"),
  leased: diagnosticsChannel.channel("modelpool:leased"),
  released: diagnosticsChannel.channel("modelpool:released"),
  stopped: diagnosticsChannel.channel("modelpool:stopped"),
  exited: diagnosticsChannel.channel("modelpool:exited"),
  evicted: diagnosticsChannel.channel("modelpool:evicted"),
  drained: diagnosticsChannel.channel("modelpool:drained"),
  superseded: diagnosticsChannel.channel("modelpool:superseded"),
  decided: diagnosticsChannel.channel("modelpool:decided"),
  warning: diagnosticsChannel.channel("modelpool:warning"),
});

/** The name of each channel (`modelpool:<event>`), for subscribers. */
export const channelName = <N extends ChannelName>(name: N): `modelpool:${N}` => `modelpool:${name}`;

/** Publishes `message` on the event's channel, if anybody subscribes to it. */
export function publish<N extends ChannelName>(name: N, message: ChannelPayloads[N]): void {
  const channel = channels[name];
  if (channel.hasSubscribers) channel.publish(message);
}
