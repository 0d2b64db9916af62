// Optim
