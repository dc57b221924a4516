-- convcalc's language server in Neovim: diagnostics, hovers, quick fixes and the shapes as inlay
-- hints, for *.py and *.net files. Load it from your init.lua (dofile("/path/to/convcalc.lua"))
-- or copy it there. Needs `convcalc server` on PATH: pip install 'convcalc[lsp]'.
-- Tried with Neovim 0.7.2 (Debian 12), driven headless by tests/e2e/test_neovim.py.

local hints = vim.api.nvim_create_namespace("convcalc_hints")

-- Neovim 0.10 and later show inlay hints themselves; before, they are drawn here as virtual
-- text at the end of their line, fetched each time the server publishes its diagnostics
-- (it does after every analysis, so the hints are ready then).
local function draw_hints(bufnr)
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(bufnr) },
    range = { start = { line = 0, character = 0 },
              ["end"] = { line = vim.api.nvim_buf_line_count(bufnr), character = 0 } },
  }
  vim.lsp.buf_request(bufnr, "textDocument/inlayHint", params, function(err, result)
    if err or not result or not vim.api.nvim_buf_is_valid(bufnr) then
      return
    end
    vim.api.nvim_buf_clear_namespace(bufnr, hints, 0, -1)
    for _, hint in ipairs(result) do
      local label = hint.label
      if type(label) ~= "string" then
        local parts = {}
        for _, part in ipairs(label) do table.insert(parts, part.value) end
        label = table.concat(parts)
      end
      vim.api.nvim_buf_set_extmark(bufnr, hints, hint.position.line, 0,
        { virt_text = { { label, "Comment" } }, virt_text_pos = "eol" })
    end
  end)
end

local function on_attach(client, bufnr)
  if vim.lsp.inlay_hint and vim.lsp.inlay_hint.enable then -- Neovim 0.10+
    pcall(vim.lsp.inlay_hint.enable, true, { bufnr = bufnr })
    return
  end
  vim.api.nvim_create_autocmd("DiagnosticChanged", {
    buffer = bufnr,
    callback = function() draw_hints(bufnr) end,
  })
end

local config = {
  name = "convcalc",
  cmd = { "convcalc", "server" },
  root_dir = vim.fn.getcwd(),
  on_attach = on_attach,
}

local function start(args)
  if vim.lsp.start then -- Neovim 0.8+
    vim.lsp.start(config)
    return
  end
  _G.convcalc_lsp = _G.convcalc_lsp or vim.lsp.start_client(config) -- Neovim 0.7
  vim.lsp.buf_attach_client(args.buf, _G.convcalc_lsp)
end

vim.api.nvim_create_autocmd({ "BufReadPost", "BufNewFile" }, { pattern = { "*.py", "*.net" }, callback = start })
