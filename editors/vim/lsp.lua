-- Neovim's built-in LSP client: put editors/vim on 'runtimepath' (for the
-- filetype) and source this file, or copy the autocmd into init.lua.
vim.api.nvim_create_autocmd('FileType', {
  pattern = 'kenko',
  callback = function(args)
    vim.lsp.start({
      name = 'kenko',
      cmd = { 'kenko', 'lsp' },
      root_dir = vim.fs.dirname(vim.api.nvim_buf_get_name(args.buf)),
    })
  end,
})
