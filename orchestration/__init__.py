"""planwatch: a statistics warehouse tracking Chongqing's electronic-information manufacturing plan."""
