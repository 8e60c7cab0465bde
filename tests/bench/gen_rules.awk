# gen_rules.awk — a large valid scorecard for `make bench`: N dimensions of
# 10 members each over 5 inputs per dimension, with indicators and
# thresholds, personas, flags and a journey. Usage: awk -v dims=100 -f …
BEGIN {
  if (dims == "") dims = 100
  print "scorecard \"bench\""
  print "input id: text key"
  print "input tenure: number"
  for (d = 0; d < dims; d++) {
    for (k = 0; k < 5; k++) printf "input f%d_%d \"入力 %d-%d\": number optional\n", d, k, d, k
    printf "indicator ratio%d \"比率 %d\" = f%d_0 / (f%d_1 + 1)\n", d, d, d, d
    printf "indicator sum%d = f%d_2 + f%d_3 + f%d_4\n", d, d, d, d
    printf "threshold min%d \"下限 %d\" = %d\n", d, d, (d % 7) + 1
    printf "dimension dim%d \"次元 %d\" weight %d {\n", d, d, (d % 5) + 1
    for (m = 0; m < 4; m++) printf "  rule r%d \"ルール %d\" : f%d_%d >= min%d\n", m, m, d, m, d
    for (m = 0; m < 3; m++) printf "  score s%d weight 2 : scale(sum%d, 0, %d)\n", m, d, (m + 1) * 10
    printf "  score b0 {\n    100 when ratio%d >= 80%%\n     50 when ratio%d >= 40%%\n      0 otherwise\n  }\n", d, d
    printf "  rule c0 : (f%d_4 ?? 0) > 0 and not (f%d_3 is missing)\n", d, d
    printf "  rule c1 : if f%d_0 > 3 then f%d_1 > 1 else f%d_2 > 2\n", d, d, d
    print "}"
  }
  print "grades { good \"グッド\" >= 70  normal \"ノーマル\" >= 40  bad \"バッド\" otherwise }"
  print "persona loyal \"ロイヤル\" when tenure >= 365 { threshold min0 = 5  weight dim0 = 3 }"
  print "persona onboard \"オンボード\" when tenure < 90 { weight dim1 = 0 }"
  print "persona active \"アクティブ\" otherwise"
  for (d = 0; d < dims; d++)
    printf "flag fl%d \"フラグ %d\" severity high when dim%d.grade == bad and grade != good action \"対応 %d\"\n", d, d, d, d
  print "journey \"ジャーニー\" {"
  for (d = 0; d < 4 && d < dims; d++) printf "  step st%d \"ステップ %d\" when dim%d.grade != bad\n", d, d, d
  print "}"
}
