set debug remote 1
break f if i == 99999
continue
print i
