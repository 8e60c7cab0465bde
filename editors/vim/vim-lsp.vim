" vim-lsp (prabirshrestha/vim-lsp): register kenko lsp for .kenko files
if executable('kenko')
  augroup kenko_lsp
    autocmd!
    autocmd User lsp_setup call lsp#register_server({
          \ 'name': 'kenko',
          \ 'cmd': {server_info->['kenko', 'lsp']},
          \ 'allowlist': ['kenko'],
          \ })
  augroup END
endif
