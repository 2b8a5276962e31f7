// Socket Mode as Slack speaks it (https://docs.slack.dev/apis/events-api/using-socket-mode):
// - apps.connections.open hands out a one-time `ws://.../link/?ticket=...` URL; on connect Slack sends
//   `{ type: 'hello', num_connections, connection_info: { app_id }, debug_info: { host, ... } }`;
// - payloads arrive as `{ envelope_id, type, payload, accepts_response_payload, retry_attempt, retry_reason }` and the
//   app acks each with `{ envelope_id, payload? }` (interactions must be acked within 3 seconds:
//   https://docs.slack.dev/interactivity/handling-user-interaction#acknowledgment_response);
// - Slack refreshes connections with `{ type: 'disconnect', reason: 'refresh_requested' | 'warning' | 'link_disabled',
//   debug_info: { host } }`; an envelope that was not acked when its socket went away is sent again on another
//   connection with `retry_attempt` + 1 and `retry_reason: 'timeout'`.
// @slack/socket-mode 3 reconnects `clientPingTimeout` ms (default 5000) after a socket closes, so a redelivery after
// a drop arrives a few seconds later; the ack deadline of an envelope stops while it waits for a connection.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type RawData, WebSocket, WebSocketServer } from 'ws';
import { newEnvelopeId, newTicket } from './ids.js';
import type { Records } from './records.js';
import type { AnyObject, Delivery } from './types.js';

export type EnvelopeType = 'slash_commands' | 'interactive' | 'events_api';
export type DisconnectReason = 'refresh_requested' | 'warning' | 'link_disabled';

/**
 * An app may hold up to 10 Socket Mode connections at once, and Slack sends each envelope to one of them
 * (https://docs.slack.dev/apis/events-api/using-socket-mode; Slack's maintainers on the limit and the spread:
 * https://github.com/slackapi/node-slack-sdk/issues/1654, https://github.com/slackapi/bolt-python/issues/448).
 * The stand-in refuses an eleventh connection and records it as a failure.
 */
export const MAX_CONNECTIONS = 10;

/** Slack retries an event three times before giving up (https://docs.slack.dev/apis/events-api/#retries). */
export const MAX_RETRIES = 3;

export interface EnvelopeOptions {
  retryAttempt?: number;
  retryReason?: string;
  /** Overrides the stand-in's ack deadline for this envelope. */
  ackDeadlineMs?: number;
  /** Whether Slack uses a payload in the ack (slash commands, view submissions). Defaults by type. */
  acceptsResponsePayload?: boolean;
  /** Called once, just before the first attempt goes out (starts trigger clocks). */
  onFirstSend?: () => void;
  /** Called with the ack payload when the ack came in time; returns problems to record as failures. */
  onAck?: (payload: AnyObject | undefined) => string[];
  meta?: Pick<Delivery, 'responseUrl' | 'triggerId' | 'viewId'>;
  label?: string;
}

interface Connection {
  id: number;
  socket: WebSocket;
  /** Sent a disconnect: no new envelopes go here. */
  draining: boolean;
  pingTimer?: NodeJS.Timeout;
  closeTimer?: NodeJS.Timeout;
}

interface Envelope {
  id: string;
  type: EnvelopeType;
  payload: AnyObject;
  acceptsResponsePayload: boolean;
  retryAttempt: number;
  retryReason: string | null;
  deadlineMs: number;
  options: EnvelopeOptions;
  label: string;
  attempts: number;
  status: 'queued' | 'sent' | 'acked' | 'timed_out' | 'abandoned';
  connectionId?: number;
  sentAt?: number;
  timer?: NodeJS.Timeout;
  resolve: (delivery: Delivery) => void;
}

export interface SocketModeOptions {
  appId: string;
  ackDeadlineMs: number;
  /** How long an envelope may wait for a connection before it counts as undeliverable. */
  connectionWaitMs: number;
  /** Server pings keep the client's serverPingTimeout (30 s) watchdog fed; 0 turns them off. */
  pingIntervalMs: number;
}

export class SocketModeServer {
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly connections = new Map<number, Connection>();
  private readonly tickets = new Set<string>();
  private readonly envelopes = new Map<string, Envelope>();
  private readonly waiters = new Set<() => void>();
  private nextConnectionId = 1;
  /** Round-robin position over the active connections. */
  private nextPick = 0;
  /** A test may send every envelope on one connection (to play "Slack chose this worker's socket"). */
  private routedTo: number | undefined;
  private closed = false;
  connectionsOpened = 0;

  constructor(
    private readonly records: Records,
    private readonly options: SocketModeOptions,
  ) {}

  /** A fresh one-time WebSocket URL, as apps.connections.open returns it. */
  issueUrl(wsBase: string): string {
    const ticket = newTicket();
    this.tickets.add(ticket);
    return `${wsBase}/link/?ticket=${ticket}&app_id=${this.options.appId}`;
  }

  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const ticket = url.searchParams.get('ticket') ?? '';
    if (!/^\/link\/?$/.test(url.pathname) || !this.tickets.delete(ticket) || this.closed) {
      this.records.fail(`Socket Mode: WebSocket connection to ${url.pathname} without a valid one-time ticket from apps.connections.open`);
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n');
      return;
    }
    if (this.connections.size >= MAX_CONNECTIONS) {
      this.records.fail(`Socket Mode: an app may hold at most ${MAX_CONNECTIONS} connections; an eleventh was refused`);
      socket.end('HTTP/1.1 429 Too Many Requests\r\nConnection: close\r\n\r\n');
      return;
    }
    this.wss.handleUpgrade(request, socket, head, (ws) => this.accept(ws));
  }

  /** Ids of the connections that take envelopes, oldest first. */
  activeConnectionIds(): number[] {
    return this.activeConnections().map((c) => c.id);
  }

  /** Sends later envelopes on this connection while it is active; undefined spreads them again. */
  routeTo(connectionId: number | undefined): void {
    this.routedTo = connectionId;
  }

  /**
   * Plays an ack that Slack never received although the app sent it: the envelope is delivered again, with the
   * same payload and retry_attempt + 1, on whichever connection the routing picks (another worker's, say).
   */
  redeliver(envelopeId: string): Promise<Delivery> {
    const first = this.envelopes.get(envelopeId);
    if (!first) throw new Error(`Slack stand-in: no envelope ${envelopeId} to redeliver`);
    const { onFirstSend: _armedAlready, ...options } = first.options;
    return this.send(first.type, first.payload, {
      ...options,
      retryAttempt: first.retryAttempt + 1,
      retryReason: 'timeout',
      label: `${first.label} (redelivered)`,
    });
  }

  /** Connections that got `hello`, were not asked to disconnect and are not closing. */
  activeCount(): number {
    return this.activeConnections().length;
  }

  waitForConnection(timeoutMs: number): Promise<void> {
    if (this.activeCount() > 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(done);
        reject(new Error(`Slack stand-in: no Socket Mode connection within ${timeoutMs} ms (failures: ${JSON.stringify(this.records.failures)})`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      this.waiters.add(done);
    });
  }

  /** Sends `{ type: 'disconnect', reason }` on every active connection; they take no new envelopes. */
  disconnect(reason: DisconnectReason): void {
    for (const connection of this.connections.values()) {
      if (connection.draining) continue;
      connection.draining = true;
      connection.socket.send(JSON.stringify({ type: 'disconnect', reason, debug_info: { host: hostName(connection.id) } }));
      // Slack closes the old socket itself if the client lingers; 10 s matches the `warning` notice period.
      connection.closeTimer = setTimeout(() => connection.socket.terminate(), 10_000);
    }
  }

  /** Ends every socket at once, without a close handshake (a network cut). */
  dropAll(): void {
    for (const connection of this.connections.values()) connection.socket.terminate();
  }

  send(type: EnvelopeType, payload: AnyObject, options: EnvelopeOptions = {}): Promise<Delivery> {
    return new Promise((resolve) => {
      const envelope: Envelope = {
        id: newEnvelopeId(),
        type,
        payload,
        acceptsResponsePayload: options.acceptsResponsePayload ?? acceptsResponsePayloadByDefault(type, payload),
        retryAttempt: options.retryAttempt ?? 0,
        retryReason: options.retryReason ?? null,
        deadlineMs: options.ackDeadlineMs ?? this.options.ackDeadlineMs,
        options,
        label: options.label ?? type,
        attempts: 0,
        status: 'queued',
        resolve,
      };
      this.envelopes.set(envelope.id, envelope);
      if (this.closed) return this.settle(envelope, { acked: false, reason: 'closed' });
      this.transmitOrWait(envelope);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const envelope of this.envelopes.values()) {
      if (envelope.status === 'queued' || envelope.status === 'sent') this.settle(envelope, { acked: false, reason: 'closed' });
    }
    // A close handshake first, so clients see a normal closure (1001 going away) rather than a network error.
    const closing = [...this.connections.values()].map(
      (connection) =>
        new Promise<void>((resolve) => {
          connection.socket.once('close', () => resolve());
          connection.socket.close(1001, 'stand-in closing');
        }),
    );
    let graceTimer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(closing), new Promise<void>((resolve) => (graceTimer = setTimeout(resolve, 500)))]);
    clearTimeout(graceTimer);
    for (const connection of this.connections.values()) connection.socket.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private accept(socket: WebSocket): void {
    const connection: Connection = { id: this.nextConnectionId++, socket, draining: false };
    this.connections.set(connection.id, connection);
    this.connectionsOpened += 1;
    socket.on('message', (data, isBinary) => this.onMessage(connection, data, isBinary));
    socket.on('close', () => this.onClose(connection));
    socket.on('error', () => socket.terminate());
    if (this.options.pingIntervalMs > 0) {
      connection.pingTimer = setInterval(() => socket.readyState === WebSocket.OPEN && socket.ping(), this.options.pingIntervalMs);
    }
    socket.send(
      JSON.stringify({
        type: 'hello',
        num_connections: this.activeCount(),
        debug_info: { host: hostName(connection.id), started: new Date().toISOString(), build_number: 1, approximate_connection_time: 18060 },
        connection_info: { app_id: this.options.appId },
      }),
    );
    for (const wake of [...this.waiters]) {
      this.waiters.delete(wake);
      wake();
    }
    for (const envelope of this.envelopes.values()) {
      if (envelope.status === 'queued') this.transmit(envelope, connection);
    }
  }

  private onClose(connection: Connection): void {
    clearInterval(connection.pingTimer);
    clearTimeout(connection.closeTimer);
    this.connections.delete(connection.id);
    for (const envelope of this.envelopes.values()) {
      if (envelope.status !== 'sent' || envelope.connectionId !== connection.id) continue;
      clearTimeout(envelope.timer);
      // Slack sends an unacknowledged envelope again, marked as a retry.
      if (envelope.retryAttempt >= MAX_RETRIES) {
        this.records.fail(`Socket Mode: envelope ${envelope.id} (${envelope.label}) never acked after ${envelope.attempts} attempts`);
        this.settle(envelope, { acked: false, reason: 'too_many_retries' });
        continue;
      }
      envelope.retryAttempt += 1;
      envelope.retryReason = 'timeout';
      envelope.status = 'queued';
      envelope.connectionId = undefined;
      if (!this.closed) this.transmitOrWait(envelope);
    }
  }

  private transmitOrWait(envelope: Envelope): void {
    const connection = this.pickConnection();
    if (connection) {
      this.transmit(envelope, connection);
      return;
    }
    clearTimeout(envelope.timer);
    envelope.timer = setTimeout(() => {
      if (envelope.status !== 'queued') return;
      this.records.fail(`Socket Mode: no connection to deliver envelope ${envelope.id} (${envelope.label}) within ${this.options.connectionWaitMs} ms`);
      this.settle(envelope, { acked: false, reason: 'no_connection' });
    }, this.options.connectionWaitMs);
  }

  private activeConnections(): Connection[] {
    return [...this.connections.values()].filter((c) => !c.draining && c.socket.readyState === WebSocket.OPEN);
  }

  /** The routed connection when a test chose one, else the next active connection in turn (Slack spreads envelopes). */
  private pickConnection(): Connection | undefined {
    const active = this.activeConnections();
    const routed = active.find((c) => c.id === this.routedTo);
    if (routed) return routed;
    if (active.length === 0) return undefined;
    this.nextPick = (this.nextPick + 1) % active.length;
    return active[this.nextPick];
  }

  private transmit(envelope: Envelope, connection: Connection): void {
    clearTimeout(envelope.timer);
    if (envelope.attempts === 0) envelope.options.onFirstSend?.();
    envelope.attempts += 1;
    envelope.status = 'sent';
    envelope.connectionId = connection.id;
    envelope.sentAt = Date.now();
    const message: AnyObject = {
      envelope_id: envelope.id,
      type: envelope.type,
      payload: envelope.payload,
      accepts_response_payload: envelope.acceptsResponsePayload,
    };
    if (envelope.type === 'events_api' || envelope.retryAttempt > 0) {
      message.retry_attempt = envelope.retryAttempt;
      message.retry_reason = envelope.retryReason ?? '';
    }
    connection.socket.send(JSON.stringify(message));
    envelope.timer = setTimeout(() => this.onDeadline(envelope), envelope.deadlineMs);
  }

  private onDeadline(envelope: Envelope): void {
    if (envelope.status !== 'sent') return;
    this.records.fail(`Socket Mode: envelope ${envelope.id} (${envelope.label}) not acked within ${envelope.deadlineMs} ms`);
    envelope.status = 'timed_out';
    envelope.resolve(this.deliveryOf(envelope, { acked: false, reason: 'timeout', ackMs: Date.now() - (envelope.sentAt ?? Date.now()) }));
  }

  private onMessage(connection: Connection, data: RawData, isBinary: boolean): void {
    let message: AnyObject;
    try {
      if (isBinary) throw new Error('binary');
      message = JSON.parse(data.toString()) as AnyObject;
    } catch {
      this.records.fail(`Socket Mode: connection ${connection.id} sent a message that is not JSON text`);
      return;
    }
    const envelope = typeof message.envelope_id === 'string' ? this.envelopes.get(message.envelope_id) : undefined;
    if (!envelope) {
      this.records.fail(`Socket Mode: ack for unknown envelope_id ${JSON.stringify(message.envelope_id)}`);
      return;
    }
    const payload = message.payload as AnyObject | undefined;
    this.records.checkForbidden(payload, `ack of ${envelope.label}`);
    const ackMs = Date.now() - (envelope.sentAt ?? Date.now());
    if (envelope.status === 'acked') {
      this.records.fail(`Socket Mode: envelope ${envelope.id} (${envelope.label}) acked twice`);
      return;
    }
    if (envelope.status === 'timed_out' || ackMs > envelope.deadlineMs) {
      this.records.fail(`Socket Mode: late ack for envelope ${envelope.id} (${envelope.label}) after ${ackMs} ms (deadline ${envelope.deadlineMs} ms)`);
      if (envelope.status === 'sent') this.onDeadline(envelope);
      return;
    }
    if (envelope.status !== 'sent') {
      this.records.fail(`Socket Mode: ack for envelope ${envelope.id} (${envelope.label}) that is not awaiting one`);
      return;
    }
    const hasPayload = payload !== undefined && Object.keys(payload).length > 0;
    if (hasPayload && !envelope.acceptsResponsePayload) {
      this.records.fail(`Socket Mode: ack payload for ${envelope.label}, which does not accept one (Slack ignores it)`);
    }
    for (const problem of envelope.options.onAck?.(payload) ?? []) this.records.fail(problem);
    this.settle(envelope, { acked: true, ackMs, ackPayload: hasPayload ? payload : undefined });
  }

  private settle(envelope: Envelope, outcome: Partial<Delivery> & { acked: boolean }): void {
    clearTimeout(envelope.timer);
    envelope.status = outcome.acked ? 'acked' : envelope.status === 'timed_out' ? 'timed_out' : 'abandoned';
    envelope.resolve(this.deliveryOf(envelope, outcome));
  }

  private deliveryOf(envelope: Envelope, outcome: Partial<Delivery> & { acked: boolean }): Delivery {
    return {
      envelopeId: envelope.id,
      attempts: envelope.attempts,
      ...(envelope.connectionId === undefined ? {} : { connectionId: envelope.connectionId }),
      ackMs: outcome.ackMs ?? (envelope.sentAt ? Date.now() - envelope.sentAt : 0),
      ...envelope.options.meta,
      ...outcome,
    };
  }
}

function acceptsResponsePayloadByDefault(type: EnvelopeType, payload: AnyObject): boolean {
  if (type === 'slash_commands') return true;
  if (type === 'interactive') return ['view_submission', 'block_suggestion'].includes(payload.type);
  return false;
}

const hostName = (connectionId: number) => `applink-stand-in-${connectionId}`;
