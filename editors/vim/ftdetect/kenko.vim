" kenko rule files
autocmd BufRead,BufNewFile *.kenko setfiletype kenko
