'use strict';
/*
 * harness-fake-device: an Appium plugin that turns @appium/fake-driver (which serves one static
 * XML file) into a small scripted Android stand-in, so consent-harness can test its Appium backend
 * against a real Appium server without an emulator.
 *
 * The "app" capability names the first screen: a uiautomator-format dump (<hierarchy><node ...>).
 * Screens are plain XML files in the same folder. Attributes the plugin understands on a node:
 *   fd-goto="other.xml"   a click (element click or a tap inside its bounds) loads that screen and
 *                         remembers the old one for BACK; "@home" sends the app to the
 *                         background, "@exit" ends its process.
 *   fd-replace="other.xml" the same, but the old screen is forgotten (a dismissed dialog).
 *   fd-perm="android.permission.CAMERA=denied;android.permission.RECORD_AUDIO=granted"
 *                         a click records those runtime-permission states.
 *   checkable="true"      a click toggles checked="true|false" (visible in the page source).
 * Android commands the fake driver lacks are answered here: back, mobile: pressKey (HOME/BACK),
 * activateApp, terminateApp, clearApp, queryAppState, getCurrentPackage, getPermissions,
 * installApp, deviceInfo. Locators follow UiAutomator2: id -> @resource-id, accessibility id ->
 * @content-desc, class name -> @class. "harness: received" returns the capabilities and the
 * Android calls this session received, so tests can prove what the client really sent.
 *
 * It relies on fake-driver internals (appModel, elMap, getElement, findElOrEls): keep
 * appium and @appium/fake-driver pinned exactly in ../package.json.
 */
const fs = require('node:fs');
const path = require('node:path');
const {BasePlugin} = require('appium/plugin');
const {errors} = require('appium/driver');
const {DOMParser, XMLSerializer} = require('@xmldom/xmldom');

const BOUNDS_RE = /^\[(-?\d+),(-?\d+)\]\[(-?\d+),(-?\d+)\]$/;
const HOME_KEY = 3;
const BACK_KEY = 4;
const LAUNCHER_PKG = 'com.android.launcher3';
const BUILTIN_LAUNCHER =
  "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n" +
  '<hierarchy rotation="0"><node index="0" text="" resource-id="com.android.launcher3:id/workspace" ' +
  `class="android.widget.FrameLayout" package="${LAUNCHER_PKG}" content-desc="Home" checkable="false" ` +
  'checked="false" clickable="false" enabled="true" bounds="[0,0][1080,2340]" /></hierarchy>\n';

function readBounds(node) {
  const m = BOUNDS_RE.exec(attrOf(node, 'bounds') || '');
  return m ? m.slice(1).map(Number) : null;
}

function attrOf(node, name) {
  return node && node.getAttribute && node.hasAttribute(name) ? node.getAttribute(name) : null;
}

function xpathLiteral(value) {
  // XPath 1.0 has no escapes: pick a quote the value lacks, else build it with concat().
  if (!value.includes('"')) return `"${value}"`;
  if (!value.includes("'")) return `'${value}'`;
  return 'concat(' + value.split('"').map((p) => `"${p}"`).join(`, '"', `) + ')';
}

class HarnessFakeDevicePlugin extends BasePlugin {
  constructor(...args) {
    super(...args);
    this.fd = null; // per-session device state, created on first use
  }

  state(driver) {
    if (!this.fd) {
      const first = path.resolve(String(driver.caps.app));
      this.fd = {
        folder: path.dirname(first),
        first,
        screen: first,
        appScreen: first,
        history: [],
        running: true,
        foreground: true,
        installed: [],
        perms: {},
        calls: [],
      };
    }
    return this.fd;
  }

  appPackage(driver) {
    const st = this.state(driver);
    const text = fs.readFileSync(st.first, 'utf8');
    const m = /package="([^"]+)"/.exec(text);
    return m ? m[1] : '';
  }

  resolveScreen(st, name) {
    const target = path.resolve(st.folder, name);
    if (path.dirname(target) !== st.folder || !target.endsWith('.xml')) {
      throw new errors.InvalidArgumentError(`fd-goto must name an .xml file beside the app: ${name}`);
    }
    return target;
  }

  async show(driver, file) {
    const st = this.state(driver);
    const model = driver.appModel;
    if (file === null) {
      const launcher = path.join(st.folder, 'launcher.xml');
      if (fs.existsSync(launcher)) {
        await model.loadApp(launcher);
      } else {
        model.rawXml = BUILTIN_LAUNCHER;
        model.dom = new DOMParser().parseFromString(BUILTIN_LAUNCHER, 'text/xml');
        model.activeDom = model.dom;
      }
      st.screen = null;
    } else {
      await model.loadApp(file);
      st.screen = file;
    }
    driver.elMap = {}; // element ids from the old screen go stale, as on a device
  }

  async goHome(driver) {
    const st = this.state(driver);
    if (st.foreground) st.appScreen = st.screen || st.first;
    st.foreground = false;
    st.history = [];
    await this.show(driver, null);
  }

  async applyClick(driver, node) {
    const st = this.state(driver);
    const perm = attrOf(node, 'fd-perm');
    if (perm) {
      for (const item of perm.split(';')) {
        const [name, value] = item.split('=');
        if (name && value) st.perms[name.trim()] = value.trim();
      }
    }
    const replace = attrOf(node, 'fd-replace');
    const goto = attrOf(node, 'fd-goto') || replace;
    if (goto === '@home') {
      await this.goHome(driver);
    } else if (goto === '@exit') {
      st.running = false;
      st.foreground = false;
      st.history = [];
      st.appScreen = st.first;
      await this.show(driver, null);
    } else if (goto) {
      const next = this.resolveScreen(st, goto);
      if (st.screen && !replace) st.history.push(st.screen);
      await this.show(driver, next);
    } else if (attrOf(node, 'checkable') === 'true') {
      node.setAttribute('checked', attrOf(node, 'checked') === 'true' ? 'false' : 'true');
      driver.appModel.rawXml = new XMLSerializer().serializeToString(driver.appModel.dom);
    }
  }

  async createSession(next, driver, ...caps) {
    // remember exactly what the client sent: the W3C {alwaysMatch, firstMatch} object
    const w3c = caps.find((c) => c && typeof c === 'object' && (c.alwaysMatch || c.firstMatch));
    this.receivedCaps = JSON.parse(JSON.stringify(w3c || {}));
    this.fd = null;
    return await next();
  }

  async click(next, driver, elementId) {
    await next(); // keep the fake driver's checks: stale, invisible, open alert
    await this.applyClick(driver, driver.getElement(elementId).node);
  }

  async back(next, driver) {
    const st = this.state(driver);
    st.calls.push({command: 'back'});
    if (!st.foreground) return null;
    if (st.history.length) {
      await this.show(driver, st.history.pop());
    } else {
      await this.goHome(driver);
    }
    return null;
  }

  locatorXpath(strategy, selector) {
    const q = xpathLiteral(String(selector));
    if (strategy === 'id') return `//*[@resource-id=${q}]`;
    if (strategy === 'accessibility id') return `//*[@content-desc=${q}]`;
    if (strategy === 'class name') return `//*[@class=${q}]`;
    return null;
  }

  async findElement(next, driver, strategy, selector) {
    const xp = this.locatorXpath(strategy, selector);
    return xp ? await driver.findElOrEls('xpath', xp, false) : await next();
  }

  async findElements(next, driver, strategy, selector) {
    const xp = this.locatorXpath(strategy, selector);
    return xp ? await driver.findElOrEls('xpath', xp, true) : await next();
  }

  async getAttribute(next, driver, name, elementId) {
    const v = await next();
    return v || attrOf(driver.getElement(elementId).node, name);
  }

  async getText(next, driver, elementId) {
    return (await next()) || attrOf(driver.getElement(elementId).node, 'text') || '';
  }

  async getElementRect(next, driver, elementId) {
    const b = readBounds(driver.getElement(elementId).node);
    return b ? {x: b[0], y: b[1], width: b[2] - b[0], height: b[3] - b[1]} : await next();
  }

  async getWindowRect(next, driver) {
    const nodes = driver.appModel.xpathQuery('//*[@bounds]');
    const b = nodes.length ? readBounds(nodes[0]) : null;
    return b ? {x: 0, y: 0, width: b[2], height: b[3]} : await next();
  }

  async getWindowSize(next, driver) {
    const r = await this.getWindowRect(next, driver);
    return {width: r.width, height: r.height};
  }

  async performActions(next, driver, actions) {
    await next();
    // a pointer down+up at (x, y) clicks the deepest clickable node whose bounds hold the point
    for (const seq of actions) {
      if (seq.type !== 'pointer') continue;
      let x = null;
      let y = null;
      for (const a of seq.actions) {
        if (a.type === 'pointerMove' && (!a.origin || a.origin === 'viewport')) {
          x = a.x;
          y = a.y;
        }
        if (a.type === 'pointerUp' && x !== null) {
          const hit = driver.appModel
            .xpathQuery('//*[@clickable="true"][@bounds]')
            .filter((n) => {
              const b = readBounds(n);
              return b && x >= b[0] && x < b[2] && y >= b[1] && y < b[3];
            })
            .pop();
          if (hit) await this.applyClick(driver, hit);
        }
      }
    }
  }

  async execute(next, driver, script, args) {
    const st = this.state(driver);
    const opts = (Array.isArray(args) ? args[0] : args) || {};
    const name = String(script).trim();
    if (!name.startsWith('mobile:') && !name.startsWith('harness:')) return await next();
    st.calls.push({command: name, args: opts});
    const pkg = this.appPackage(driver);
    const isApp = (id) => String(id || '') === pkg;
    switch (name) {
      case 'mobile: pressKey':
        if (Number(opts.keycode) === HOME_KEY) return await this.goHome(driver);
        if (Number(opts.keycode) === BACK_KEY) return await this.back(async () => null, driver);
        return null;
      case 'mobile: activateApp':
        if (!isApp(opts.appId)) throw new errors.InvalidArgumentError(`no such app: ${opts.appId}`);
        if (!st.foreground) {
          const screen = st.running ? st.appScreen || st.first : st.first;
          st.running = true;
          st.foreground = true;
          st.history = [];
          await this.show(driver, screen);
        }
        return null;
      case 'mobile: terminateApp': {
        if (!isApp(opts.appId)) return false;
        const was = st.running;
        st.running = false;
        st.appScreen = st.first;
        if (st.foreground) {
          st.foreground = false;
          st.history = [];
          await this.show(driver, null);
        }
        return was;
      }
      case 'mobile: clearApp':
        if (!isApp(opts.appId)) throw new errors.InvalidArgumentError(`no such app: ${opts.appId}`);
        st.perms = {};
        st.running = false;
        st.appScreen = st.first;
        if (st.foreground) {
          st.foreground = false;
          st.history = [];
          await this.show(driver, null);
        }
        return null;
      case 'mobile: queryAppState':
        if (!isApp(opts.appId)) return 0;
        if (!st.running) return 1;
        return st.foreground ? 4 : 3;
      case 'mobile: getCurrentPackage':
        return st.foreground ? this.currentPackage(driver) : LAUNCHER_PKG;
      case 'mobile: getPermissions': {
        const want = String(opts.type || 'requested');
        const names = Object.keys(st.perms).sort();
        if (want === 'granted') return names.filter((n) => st.perms[n] === 'granted');
        if (want === 'denied') return names.filter((n) => st.perms[n] !== 'granted');
        return names;
      }
      case 'mobile: installApp':
        st.installed.push(String(opts.appPath || ''));
        return null;
      case 'mobile: deviceInfo':
        return {apiVersion: '34', platformVersion: '14', manufacturer: 'consent-harness',
          model: 'fake-device', locale: 'en_US', realDisplaySize: '1080x2340'};
      case 'harness: received':
        return {capabilities: this.receivedCaps || {}, calls: st.calls, installed: st.installed};
      default:
        return await next();
    }
  }

  currentPackage(driver) {
    const nodes = driver.appModel.xpathQuery('//*[@package]');
    return nodes.length ? attrOf(nodes[0], 'package') : '';
  }
}

module.exports = {HarnessFakeDevicePlugin, default: HarnessFakeDevicePlugin};
