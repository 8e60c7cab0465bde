" Vim syntax file for kenko health-score rules (.kenko)
if exists('b:current_syntax') | finish | endif

syn keyword kenkoDecl scorecard include input indicator threshold dimension rule score grades persona segment flag journey step forecast outcome test kpi
syn keyword kenkoKeyword weight severity action weighted by given expect as_of when otherwise where key optional from if then else snapshot target display kept
syn keyword kenkoType list text number bool date
syn keyword kenkoOperator and or not in is
syn keyword kenkoConstant true false missing
syn keyword kenkoFunction min max abs round clamp scale coalesce days days_since days_until lower upper contains starts_with nps count sum avg any all flagged past previous change pct_change avg_over min_over max_over count_over share median
syn match kenkoNumber /\<\d[0-9_]*\(\.\d[0-9_]*\)\?\([eE][+-]\?\d\+\)\?\>/
syn match kenkoDuration /\<\d[0-9_]*\(d\|w\|mo\)\>/
syn match kenkoPercent /\<\d[0-9_]*\(\.\d[0-9_]*\)\?%/
syn match kenkoDate /\<\d\{4}-\d\{2}-\d\{2}\>/
syn match kenkoOp /==\|!=\|<=\|>=\|??\|[<>=+*\/%-]/
syn region kenkoString start=/"/ skip=/\\\\\|\\"/ end=/"\|$/ contains=kenkoEscape oneline
syn match kenkoEscape /\\\(u{\x\{1,8}}\|["\\nt]\)/ contained
syn match kenkoComment /#.*$/ contains=@Spell

hi def link kenkoDecl Statement
hi def link kenkoKeyword Keyword
hi def link kenkoType Type
hi def link kenkoOperator Operator
hi def link kenkoOp Operator
hi def link kenkoConstant Constant
hi def link kenkoFunction Function
hi def link kenkoDate Number
hi def link kenkoDuration Number
hi def link kenkoPercent Number
hi def link kenkoNumber Number
hi def link kenkoString String
hi def link kenkoEscape SpecialChar
hi def link kenkoComment Comment

let b:current_syntax = 'kenko'
