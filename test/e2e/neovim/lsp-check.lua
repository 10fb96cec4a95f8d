-- SPDX-License-Identifier: Apache-2.0
-- Headless Neovim as a second, independent LSP client of the bundled server: attach it to the
-- buffer given on the command line, wait (vim.wait, on the server's own notifications) for the
-- diagnostics, optionally ask for a hover and a completion, print everything as tab-separated
-- lines on stdout and quit. Exit 0 when the server answered, 1 (cq!) when it did not.
-- Written for Neovim 0.7 (Debian 12): no vim.lsp.start, so start_client + buf_attach_client.
--
-- Environment:
--   CILIUM_POLICY_SERVER    path of dist/server.js (required)
--   CILIUM_POLICY_ROOT      workspace folder (default: the current directory)
--   CILIUM_POLICY_RULE_OFF  a rule id to set to "off" in ciliumPolicy.rules
--   CILIUM_POLICY_HOVER     "line:character" (0-based) to hover
--   CILIUM_POLICY_HOVER_UNTIL  a plain text the hover must hold: hover again (up to 15 s) until it
--                           does (an answer that needs the workspace's inventory, read in the background)
--   CILIUM_POLICY_COMPLETE  "line:character" (0-based) to complete
--   CILIUM_POLICY_REQUEST   a request of ours to send with { textDocument = this buffer }, e.g.
--                           ciliumPolicy/runPolicyTests; its result is printed as JSON

local function out(...)
  io.stdout:write(table.concat({ ... }, '\t') .. '\n')
end

local function finish(code)
  io.stdout:flush()
  if code == 0 then vim.cmd('qa!') else vim.cmd('cq!') end
end

local server = os.getenv('CILIUM_POLICY_SERVER')
if not server or server == '' then
  out('ERROR', 'CILIUM_POLICY_SERVER is not set')
  finish(1)
  return
end
local root = os.getenv('CILIUM_POLICY_ROOT') or vim.fn.getcwd()
local bufnr = vim.api.nvim_get_current_buf()
local buf_uri = vim.uri_from_bufnr(bufnr)

-- vim.empty_dict(): an empty Lua table would be sent as a JSON array.
local rules = vim.empty_dict()
local rule_off = os.getenv('CILIUM_POLICY_RULE_OFF')
if rule_off and rule_off ~= '' then rules = { [rule_off] = 'off' } end

local published, status_seen = false, false
local client_id = vim.lsp.start_client({
  name = 'cilium-policy',
  cmd = { 'node', server, '--stdio' },
  root_dir = root,
  workspace_folders = { { uri = vim.uri_from_fname(root), name = 'workspace' } },
  settings = { ciliumPolicy = { ciliumVersion = '1.20', tetragonVersion = '1.8', rules = rules } },
  -- Neovim 0.7 neither advertises `workspace/configuration` nor pushes `settings` by itself, so
  -- push them once initialized (as nvim-lspconfig does); this runs before the buffer's didOpen.
  on_init = function(client)
    client.notify('workspace/didChangeConfiguration', { settings = client.config.settings })
  end,
  handlers = {
    -- Keep Neovim's own handling (it fills vim.diagnostic) and note that this buffer got an answer.
    ['textDocument/publishDiagnostics'] = function(err, result, ctx, config)
      vim.lsp.diagnostic.on_publish_diagnostics(err, result, ctx, config)
      if result and result.uri == buf_uri then published = true end
    end,
    -- Sent after each lint of a document: the diagnostics just published are final for its version.
    ['ciliumPolicy/documentStatus'] = function(_, result)
      if result and result.uri == buf_uri then status_seen = true end
    end,
  },
})
if not client_id then
  out('ERROR', 'the language server did not start')
  finish(1)
  return
end
vim.lsp.buf_attach_client(bufnr, client_id)

if not vim.wait(30000, function() return published and status_seen end, 20) then
  out('ERROR', 'timed out waiting for diagnostics (published=' .. tostring(published) .. ', status=' .. tostring(status_seen) .. ')')
  finish(1)
  return
end

local client = vim.lsp.get_client_by_id(client_id)
out('SERVER', client and client.name or '?', client and client.server_capabilities and 'capabilities' or '-')
for _, d in ipairs(vim.diagnostic.get(bufnr)) do
  local lsp = d.user_data and d.user_data.lsp or {}
  local code = d.code or lsp.code or ''
  out('DIAG', tostring(d.lnum), tostring(d.col), tostring(d.end_lnum), tostring(d.end_col), tostring(d.severity), tostring(d.source), tostring(code), (d.message:gsub('[\t\n]', ' ')))
end

local function position(env)
  local v = os.getenv(env)
  if not v or v == '' then return nil end
  local line, character = v:match('^(%d+):(%d+)$')
  return { line = tonumber(line), character = tonumber(character) }
end

local function hover(at)
  local res = vim.lsp.buf_request_sync(bufnr, 'textDocument/hover', { textDocument = { uri = buf_uri }, position = at }, 15000)
  local text = ''
  for _, r in pairs(res or {}) do
    local c = r.result and r.result.contents
    if type(c) == 'table' then text = text .. (c.value or table.concat(vim.tbl_map(function(x) return type(x) == 'table' and x.value or x end, c), '\n')) end
    if type(c) == 'string' then text = text .. c end
  end
  return text
end

local hover_at = position('CILIUM_POLICY_HOVER')
if hover_at then
  local want = os.getenv('CILIUM_POLICY_HOVER_UNTIL')
  local text = hover(hover_at)
  if want and want ~= '' then
    local deadline = vim.loop.now() + 15000
    while not text:find(want, 1, true) and vim.loop.now() < deadline do
      vim.wait(200)
      text = hover(hover_at)
    end
  end
  out('HOVER', (text:gsub('[\t\n]', ' ')))
end

local complete_at = position('CILIUM_POLICY_COMPLETE')
if complete_at then
  local res = vim.lsp.buf_request_sync(bufnr, 'textDocument/completion', { textDocument = { uri = buf_uri }, position = complete_at }, 15000)
  local labels = {}
  for _, r in pairs(res or {}) do
    local items = r.result and (r.result.items or r.result) or {}
    for _, item in ipairs(items) do table.insert(labels, item.label) end
  end
  out('COMPLETION', table.concat(labels, ','))
end

local request = os.getenv('CILIUM_POLICY_REQUEST')
if request and request ~= '' then
  local res = vim.lsp.buf_request_sync(bufnr, request, { textDocument = { uri = buf_uri } }, 30000)
  for _, r in pairs(res or {}) do
    if r.err then out('RESPONSE_ERROR', (vim.inspect(r.err):gsub('[\t\n]', ' '))) end
    if r.result ~= nil then out('RESPONSE', vim.fn.json_encode(r.result)) end
  end
end

out('DONE')
vim.lsp.stop_client(client_id)
finish(0)
