/**
 * Tracing on `node:diagnostics_channel`, as undici publishes `undici:request:*`: every request the
 * client sends, from either half, is published on `rickmorty-client:request:start`, then
 * `rickmorty-client:request:end` (it got an answer, whatever its status) or
 * `rickmorty-client:request:error` (it got none). With no subscriber, a request costs one check of
 * `hasSubscribers`; where there is no `diagnostics_channel` (a browser), nothing at all.
 *
 * @module
 */
import type { Channel } from 'node:diagnostics_channel';
import { nodeBuiltin } from '../internal/node.js';
import type { TransportRequest, TransportResponse } from '../transports/types.js';
import type { Handler } from './effects.js';

/** The names of the channels, for `diagnostics_channel.subscribe(name, onMessage)`. */
export const REQUEST_CHANNELS = {
  start: 'rickmorty-client:request:start',
  end: 'rickmorty-client:request:end',
  error: 'rickmorty-client:request:error',
} as const;

/** The message on `rickmorty-client:request:start`: a request about to be sent. */
export interface RequestStartMessage {
  /** Tells this request's messages apart from others in flight; unique within the thread. */
  readonly id: number;
  readonly method: 'GET';
  /** The URL sent, after the `beforeRequest` hooks; a redirect is a request of its own. */
  readonly url: string;
  /** The attempt the request belongs to, from 1; a retry is the next attempt. */
  readonly attempt: number;
}

/** The message on `rickmorty-client:request:end`: an answer arrived, whatever its status. */
export interface RequestEndMessage extends RequestStartMessage {
  readonly status: number;
  /**
   * Milliseconds from the start message to the answer's whole body. Note: in the async half this
   * includes any wait for a slot under the client's `concurrency`.
   */
  readonly duration: number;
}

/** The message on `rickmorty-client:request:error`: no answer (a timeout, a reset, an abort…). */
export interface RequestErrorMessage extends RequestStartMessage {
  /** What the transport threw, mapped to the client's errors (`TimeoutError`, `ConnectionError`…). */
  readonly error: unknown;
  readonly duration: number;
}

interface Channels {
  readonly start: Channel;
  readonly end: Channel;
  readonly error: Channel;
}

/** Looked up once; `null` where there is no `diagnostics_channel`. */
let channels: Channels | null | undefined;
let lastId = 0;

function requestChannels(): Channels | null {
  if (channels === undefined) {
    const dc = nodeBuiltin('node:diagnostics_channel');
    channels = dc
      ? {
          start: dc.channel(REQUEST_CHANNELS.start),
          end: dc.channel(REQUEST_CHANNELS.end),
          error: dc.channel(REQUEST_CHANNELS.error),
        }
      : null;
  }
  return channels;
}

/**
 * Sends `request` with `send`, publishing its start and its end or error when anyone listens. With
 * no subscriber it hands back `send`'s own handler: not even a generator more per request.
 */
export function traced(
  send: (request: TransportRequest) => Handler<TransportResponse>,
  request: TransportRequest,
  attempt: number,
): Handler<TransportResponse> {
  const c = requestChannels();
  return c && (c.start.hasSubscribers || c.end.hasSubscribers || c.error.hasSubscribers)
    ? publishing(c, send, request, attempt)
    : send(request);
}

function* publishing(
  c: Channels,
  send: (request: TransportRequest) => Handler<TransportResponse>,
  request: TransportRequest,
  attempt: number,
): Handler<TransportResponse> {
  const start: RequestStartMessage = {
    id: ++lastId,
    method: request.method,
    url: request.url,
    attempt,
  };
  const began = performance.now();
  c.start.publish(start);
  let response: TransportResponse;
  try {
    response = yield* send(request);
  } catch (error) {
    c.error.publish({ ...start, error, duration: performance.now() - began });
    throw error;
  }
  c.end.publish({ ...start, status: response.status, duration: performance.now() - began });
  return response;
}
