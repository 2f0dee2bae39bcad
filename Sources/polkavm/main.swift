print("polkavm")
