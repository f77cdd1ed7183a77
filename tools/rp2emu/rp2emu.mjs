#!/usr/bin/env node
// Runs a Raspberry Pi Pico (RP2040) MicroPython firmware on the rp2040js
// emulator and exposes its REPL (the firmware's USB CDC serial port).
//
//   node rp2emu.mjs [options]                 terminal: stdin -> REPL -> stdout
//   node rp2emu.mjs [options] --run FILE.py   run one script, print its output
//   node rp2emu.mjs [options] --control       JSON-lines protocol (for test harnesses)
//
// Options:
//   --uf2 PATH        firmware (default: build/rp2/RPI_PICO/firmware.uf2 of the repository)
//   --bootrom PATH    RP2040 B1 boot ROM image (default: $RP2040_BOOTROM, else
//                     ../shared/rp2040/bootrom-b1.bin beside the repository)
//   --wire A:B        a wire from GPIO A to GPIO B: whatever A drives, B reads
//                     (an undriven A reads as its pull, or low). Repeatable.
//   --timeout SECONDS wall-clock limit for --run (default 60)
//
// --control: one JSON object per line on stdin, one reply per line on stdout:
//   {"id":1,"op":"run","code":"print(1)","timeout":60,"reset":true}
//       -> {"id":1,"ok":true,"stdout":"1\n","stderr":"","timed_out":false,
//           "virtual_us":...,"wall_ms":...}
//     Runs `code` in the raw REPL with raw-paste flow control, after a soft reset
//     (Ctrl-D) unless "reset" is false. stderr holds the exception text, if any.
//     On a wall-clock timeout the script gets Ctrl-C; if the board does not come
//     back to the raw REPL it is rebooted (fresh flash).
//   {"op":"wire","from":2,"to":3}   {"op":"unwire","from":2,"to":3}   {"op":"unwire"}
//   {"op":"set","pin":3,"value":1}  drive an input from the host
//   {"op":"get","pin":2}            -> {"value":0|1,"state":...}
//   {"op":"reboot"}  power-cycle (fresh flash)     {"op":"quit"}
// The first line written is {"event":"ready",...} once the REPL answers.
// Time inside the emulator is virtual: a sleeping firmware costs no wall time,
// a busy one runs at whatever speed the host manages.
import { readFileSync, existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { ConsoleLogger, GPIOPinState, LogLevel, Simulator, USBCDC } from 'rp2040js';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(HERE, '..', '..');
const FLASH_BASE = 0x10000000;
const RAW_PROMPT = 'raw REPL; CTRL-B to exit\r\n>';

// Everything the emulator or node itself logs goes to stderr: stdout is the REPL
// or the protocol.
console.log = console.info = console.debug = console.warn = (...a) => console.error(...a);

function parseArgs(argv) {
  const opts = { wires: [], timeout: 60 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--uf2') opts.uf2 = next();
    else if (a === '--bootrom') opts.bootrom = next();
    else if (a === '--wire') {
      const m = /^(\d+):(\d+)$/.exec(next());
      if (!m) throw new Error('--wire wants A:B (GPIO numbers)');
      opts.wires.push([Number(m[1]), Number(m[2])]);
    } else if (a === '--run') opts.run = next();
    else if (a === '--control') opts.control = true;
    else if (a === '--timeout') opts.timeout = Number(next());
    else if (a === '-h' || a === '--help') opts.help = true;
    else throw new Error(`unknown argument ${a}`);
  }
  return opts;
}

function defaultBootrom() {
  if (process.env.RP2040_BOOTROM) return process.env.RP2040_BOOTROM;
  return resolve(REPO, '..', 'shared', 'rp2040', 'bootrom-b1.bin');
}

/** UF2 blocks -> flash image. */
function loadUF2(flash, uf2) {
  for (let off = 0; off + 512 <= uf2.length; off += 512) {
    const b = uf2.subarray(off, off + 512);
    const magic0 = b.readUInt32LE(0), magic1 = b.readUInt32LE(4), magicEnd = b.readUInt32LE(508);
    if (magic0 !== 0x0a324655 || magic1 !== 0x9e5d5157 || magicEnd !== 0x0ab16f30) {
      throw new Error(`not a UF2 block at offset ${off}`);
    }
    const flags = b.readUInt32LE(8);
    if (flags & 1) continue; // "not main flash"
    const addr = b.readUInt32LE(12), size = b.readUInt32LE(16);
    if (addr < FLASH_BASE || addr + size > FLASH_BASE + flash.length || size > 476) {
      throw new Error(`UF2 block for ${addr.toString(16)} is outside the flash`);
    }
    flash.set(b.subarray(32, 32 + size), addr - FLASH_BASE);
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

class TimeoutError extends Error {}

/** One emulated Pico with its REPL. */
class Board {
  constructor({ uf2, bootrom, wires }) {
    this.uf2 = readFileSync(uf2);
    const rom = readFileSync(bootrom);
    if (rom.length !== 16384) throw new Error(`${bootrom}: expected a 16384-byte boot ROM`);
    this.bootrom = new Uint32Array(rom.buffer.slice(rom.byteOffset, rom.byteOffset + rom.length));
    this.wires = new Map(); // "a:b" -> remover
    this.wireList = wires.slice();
    this.rx = Buffer.alloc(0); // REPL output not consumed yet
    this.waiter = null;
    this.onOutput = null; // terminal mode: raw pass-through
    this.pending = []; // bytes for the firmware, fed as the USB FIFO has room
  }

  /** Power-on: fresh flash from the UF2, boot ROM, USB host attached. */
  async boot(timeoutMs = 30000) {
    if (this.sim) this.sim.stop();
    const sim = new Simulator();
    const mcu = sim.rp2040;
    mcu.logger = new ConsoleLogger(LogLevel.Error, false);
    mcu.loadBootrom(this.bootrom);
    loadUF2(mcu.flash, this.uf2);
    const cdc = new USBCDC(mcu.usbCtrl);
    this.sim = sim;
    this.mcu = mcu;
    this.cdc = cdc;
    this.rx = Buffer.alloc(0);
    this.pending = [];
    this.wires.clear();
    const connected = new Promise((res) => (cdc.onDeviceConnected = res));
    cdc.onSerialData = (data) => this._received(data);
    // Feed the host->device FIFO only as far as it has room: the firmware then
    // pulls at its own pace (it stops reading while its stdin buffer is full).
    // And answer the firmware's OUT-endpoint reads only when there is data, as a
    // real host does: rp2040js's USBCDC answers at once with an empty packet,
    // which keeps the firmware in USB interrupts and never lets it sleep
    // (time.sleep(1) then costs seconds of wall time instead of milliseconds).
    const usb = mcu.usbCtrl;
    const read = usb.onEndpointRead;
    this.deferredRead = null;
    this._answerRead = (ep, size) => {
      this._pump();
      read(ep, size);
    };
    usb.onEndpointRead = (ep, size) => {
      if (ep === cdc.outEndpoint && this.pending.length === 0 && cdc.txFIFO.itemCount === 0) {
        this.deferredRead = [ep, size];
        return;
      }
      this._answerRead(ep, size);
    };
    for (const [a, b] of this.wireList) this.wire(a, b);
    mcu.core.PC = FLASH_BASE;
    sim.execute();
    await this._within(connected, timeoutMs, 'USB device did not connect');
  }

  /** Virtual microseconds since power-on. */
  get virtualMicros() {
    return this.sim.clock.micros;
  }

  _received(data) {
    if (this.onOutput) this.onOutput(Buffer.from(data));
    this.rx = Buffer.concat([this.rx, Buffer.from(data)]);
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = null;
      w();
    }
  }

  _pump() {
    const fifo = this.cdc.txFIFO;
    let n = 0;
    while (n < this.pending.length && fifo.itemCount < fifo.size) fifo.push(this.pending[n++]);
    if (n) this.pending.splice(0, n);
  }

  send(bytes) {
    for (const b of typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes) this.pending.push(b);
    this._pump();
    if (this.deferredRead && this.cdc.txFIFO.itemCount) {
      const [ep, size] = this.deferredRead;
      this.deferredRead = null;
      this._answerRead(ep, size);
    }
  }

  _within(promise, ms, what) {
    let t;
    return Promise.race([
      promise,
      new Promise((_, rej) => (t = setTimeout(() => rej(new TimeoutError(what)), ms))),
    ]).finally(() => clearTimeout(t));
  }

  _nextData() {
    return new Promise((res) => (this.waiter = res));
  }

  /** Waits until `pattern` (string/Buffer) arrives; returns everything up to and including it. */
  async readUntil(pattern, deadline, what = `waiting for ${JSON.stringify(String(pattern))}`) {
    const pat = Buffer.isBuffer(pattern) ? pattern : Buffer.from(pattern, 'latin1');
    for (;;) {
      const i = this.rx.indexOf(pat);
      if (i >= 0) {
        const out = this.rx.subarray(0, i + pat.length);
        this.rx = this.rx.subarray(i + pat.length);
        return out;
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new TimeoutError(what);
      await this._within(this._nextData(), left, what).catch((e) => {
        this.waiter = null;
        throw e;
      });
    }
  }

  async readBytes(n, deadline, what = `waiting for ${n} bytes`) {
    while (this.rx.length < n) {
      const left = deadline - Date.now();
      if (left <= 0) throw new TimeoutError(what);
      await this._within(this._nextData(), left, what).catch((e) => {
        this.waiter = null;
        throw e;
      });
    }
    const out = this.rx.subarray(0, n);
    this.rx = this.rx.subarray(n);
    return out;
  }

  /** Stops whatever runs and enters the raw REPL. */
  async enterRaw(deadline) {
    this.send('\r\x03\x03');
    await sleep(50);
    this.rx = Buffer.alloc(0);
    this.send('\x01');
    await this.readUntil(RAW_PROMPT, deadline, 'no raw REPL prompt');
    this.raw = true;
  }

  /** Soft reset from the raw REPL; back at the raw REPL prompt. */
  async softReset(deadline) {
    this.send('\x04');
    await this.readUntil('soft reboot\r\n', deadline, 'no soft reboot');
    await this.readUntil(RAW_PROMPT, deadline, 'no raw REPL prompt after soft reboot');
  }

  /** Sends `code` in raw-paste mode, honouring the firmware's flow-control window. */
  async rawPaste(code, deadline) {
    const data = Buffer.from(code, 'utf8');
    this.send('\x05A\x01');
    const answer = await this.readBytes(2, deadline, 'no raw-paste answer');
    if (answer[0] !== 0x52 /* R */ || answer[1] !== 0x01) {
      // The firmware does not do raw-paste: plain raw REPL (our own FIFO feeding
      // already keeps the firmware's buffer from overflowing).
      if (answer[0] === 0x52) {
        this.send(data);
        this.send('\x04');
        await this.readUntil('OK', deadline, 'raw REPL did not accept the script');
        return;
      }
      throw new Error(`unexpected raw-paste answer ${answer.toString('hex')}`);
    }
    const increment = (await this.readBytes(2, deadline, 'no raw-paste window size')).readUInt16LE(0);
    let window = increment;
    let sent = 0;
    while (sent < data.length) {
      // Take every flow-control byte that has arrived; wait for one when the window is spent.
      while (this.rx.length || window === 0) {
        const [b] = await this.readBytes(1, deadline, 'raw-paste window never reopened');
        if (b === 0x01) window += increment;
        else if (b === 0x04) {
          // The firmware ends the transfer early (e.g. Ctrl-C): acknowledge.
          this.send('\x04');
          sent = data.length;
          break;
        } else throw new Error(`unexpected raw-paste byte ${b}`);
      }
      if (sent >= data.length) break;
      const n = Math.min(window, data.length - sent);
      this.send(data.subarray(sent, sent + n));
      sent += n;
      window -= n;
    }
    this.send('\x04');
    // Wait for the firmware's end-of-data acknowledgement (0x04), skipping window updates.
    for (;;) {
      const [b] = await this.readBytes(1, deadline, 'raw-paste end not acknowledged');
      if (b === 0x04) break;
      if (b !== 0x01) throw new Error(`unexpected raw-paste byte ${b}`);
    }
  }

  /**
   * Gets to a fresh raw REPL prompt: soft reset, or a reboot when the firmware
   * does not answer (e.g. a script left the heap locked: the REPL cannot read).
   * Returns whether it rebooted.
   */
  async prepare(deadline, reset) {
    const quick = Math.min(deadline, Date.now() + 5000);
    try {
      if (!this.raw) await this.enterRaw(quick);
      if (reset) await this.softReset(quick);
      return false;
    } catch (e) {
      if (!(e instanceof TimeoutError)) throw e;
    }
    this.raw = false;
    await this.boot();
    await this.enterRaw(Math.min(deadline, Date.now() + 10000));
    return true;
  }

  /** Runs a script; returns {stdout, stderr, timed_out, rebooted, virtual_us}. */
  async run(code, { timeoutMs = 60000, reset = true } = {}) {
    const deadline = Date.now() + timeoutMs;
    const rebooted = await this.prepare(deadline, reset);
    const v0 = this.virtualMicros;
    await this.rawPaste(code, deadline);
    let stdout = Buffer.alloc(0);
    try {
      stdout = await this.readUntil('\x04', deadline, 'script timed out');
      const stderr = await this.readUntil('\x04', deadline, 'no end of error output');
      await this.readUntil('>', deadline, 'no raw REPL prompt after the script');
      return {
        stdout: clean(stdout.subarray(0, -1)),
        stderr: clean(stderr.subarray(0, -1)),
        timed_out: false,
        rebooted,
        virtual_us: this.virtualMicros - v0,
      };
    } catch (e) {
      if (!(e instanceof TimeoutError)) throw e;
      const partial = Buffer.concat([stdout, this.rx]);
      this.rx = Buffer.alloc(0);
      // Interrupt the script and get back to the raw REPL; reboot if that fails.
      let recovered = false;
      try {
        this.send('\x03\x03');
        const grace = Date.now() + 5000;
        await this.readUntil('\x04', grace);
        await this.readUntil('\x04', grace);
        await this.readUntil('>', grace);
        recovered = true;
      } catch (e2) {
        if (!(e2 instanceof TimeoutError)) throw e2;
      }
      if (!recovered) {
        this.raw = false;
        await this.boot();
      }
      return {
        stdout: clean(partial),
        stderr: `timed out after ${timeoutMs / 1000} s (wall clock)${recovered ? '' : '; board rebooted'}`,
        timed_out: true,
        rebooted: rebooted || !recovered,
        virtual_us: null,
      };
    }
  }

  wire(a, b) {
    const src = this.mcu.gpio[a], dst = this.mcu.gpio[b];
    if (!src || !dst) throw new Error(`no GPIO ${src ? b : a}`);
    const key = `${a}:${b}`;
    this.unwire(a, b);
    const drive = (state) => {
      if (state === GPIOPinState.High) dst.setInputValue(true);
      else if (state === GPIOPinState.Low) dst.setInputValue(false);
      else dst.setInputValue(state === GPIOPinState.InputPullUp);
    };
    drive(src.value);
    this.wires.set(key, src.addListener(drive));
    if (!this.wireList.some(([x, y]) => x === a && y === b)) this.wireList.push([a, b]);
  }

  unwire(a, b) {
    for (const [key, remove] of [...this.wires]) {
      const [x, y] = key.split(':').map(Number);
      if ((a === undefined || a === x) && (b === undefined || b === y)) {
        remove();
        this.wires.delete(key);
      }
    }
    this.wireList = this.wireList.filter(([x, y]) => !((a === undefined || a === x) && (b === undefined || b === y)));
  }
}

function clean(buf) {
  return buf.toString('utf8').replace(/\r\n/g, '\n');
}

async function control(board) {
  const out = (obj) => process.stdout.write(JSON.stringify(obj) + '\n');
  const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
  let queue = Promise.resolve();
  rl.on('line', (line) => {
    if (!line.trim()) return;
    queue = queue.then(async () => {
      let req;
      try {
        req = JSON.parse(line);
      } catch (e) {
        out({ ok: false, error: `bad JSON: ${e.message}` });
        return;
      }
      const reply = { id: req.id, ok: true };
      try {
        switch (req.op) {
          case 'run': {
            const t0 = Date.now();
            Object.assign(
              reply,
              await board.run(String(req.code ?? ''), {
                timeoutMs: (req.timeout ?? 60) * 1000,
                reset: req.reset !== false,
              }),
            );
            reply.wall_ms = Date.now() - t0;
            break;
          }
          case 'wire':
            board.wire(req.from, req.to);
            break;
          case 'unwire':
            board.unwire(req.from, req.to);
            break;
          case 'set':
            board.mcu.gpio[req.pin].setInputValue(!!req.value);
            break;
          case 'get': {
            const p = board.mcu.gpio[req.pin];
            reply.value = p.inputValue ? 1 : 0;
            reply.state = GPIOPinState[p.value];
            break;
          }
          case 'reboot':
            board.raw = false;
            await board.boot();
            break;
          case 'ping':
            reply.virtual_us = board.virtualMicros;
            break;
          case 'quit':
            out(reply);
            process.exit(0);
            break;
          default:
            throw new Error(`unknown op ${req.op}`);
        }
      } catch (e) {
        reply.ok = false;
        reply.error = String(e && e.message ? e.message : e);
      }
      out(reply);
    });
  });
  rl.on('close', () => queue.then(() => process.exit(0)));
  await board.enterRaw(Date.now() + 30000);
  out({ event: 'ready', virtual_us: board.virtualMicros, wires: board.wireList });
}

async function terminal(board) {
  board.onOutput = (data) => process.stdout.write(data);
  const tty = process.stdin.isTTY;
  if (tty) {
    process.stdin.setRawMode(true);
    console.error('[rp2emu] connected; Ctrl-] quits');
  }
  process.stdin.on('data', (data) => {
    if (tty && data.includes(0x1d)) process.exit(0);
    board.send(data);
  });
  process.stdin.on('end', () => setTimeout(() => process.exit(0), 200));
  board.send('\r');
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.help) {
    process.stdout.write(readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n')
      .slice(1, 33).map((l) => l.replace(/^\/\/ ?/, '')).join('\n') + '\n');
    return;
  }
  const uf2 = opts.uf2 ?? resolve(REPO, 'build', 'rp2', 'RPI_PICO', 'firmware.uf2');
  const bootrom = opts.bootrom ?? defaultBootrom();
  for (const [what, p] of [['firmware', uf2], ['boot ROM (set RP2040_BOOTROM)', bootrom]]) {
    if (!existsSync(p)) throw new Error(`no ${what} at ${p}`);
  }
  const board = new Board({ uf2, bootrom, wires: opts.wires });
  await board.boot();
  if (opts.control) return control(board);
  if (opts.run) {
    const r = await board.run(readFileSync(opts.run, 'utf8'), { timeoutMs: opts.timeout * 1000 });
    process.stdout.write(r.stdout);
    if (r.stderr) process.stderr.write(r.stderr);
    process.exit(r.stderr || r.timed_out ? 1 : 0);
  }
  return terminal(board);
}

main().catch((e) => {
  console.error(`rp2emu: ${e && e.message ? e.message : e}`);
  process.exit(2);
});
