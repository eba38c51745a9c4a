// SPDX-License-Identifier: LGPL-2.1-or-later
pragma solidity ^0.8.20;

import "./Interfaces.sol";

// Base of every protocol contract: it finds its peers through the Controller by
// keccak256(name), as Livepeer's contracts and node do, so a contract can be replaced by
// registering a new address without redeploying the others.
abstract contract Manager {
    bytes32 internal constant ID_BONDING_MANAGER = keccak256("BondingManager");
    bytes32 internal constant ID_TICKET_BROKER = keccak256("TicketBroker");
    bytes32 internal constant ID_ROUNDS_MANAGER = keccak256("RoundsManager");
    bytes32 internal constant ID_MINTER = keccak256("Minter");
    bytes32 internal constant ID_TOKEN = keccak256("LivepeerToken");

    IController public controller;

    event SetController(address controller);
    event ParameterUpdate(string param);

    constructor(address _controller) {
        controller = IController(_controller);
    }

    modifier whenSystemNotPaused() {
        require(!controller.paused(), "system is paused");
        _;
    }

    modifier onlyControllerOwner() {
        require(msg.sender == controller.owner(), "caller must be Controller owner");
        _;
    }

    modifier onlyController() {
        require(msg.sender == address(controller), "caller must be Controller");
        _;
    }

    function setController(address _controller) external onlyController {
        controller = IController(_controller);
        emit SetController(_controller);
    }

    function _peer(bytes32 _id) internal view returns (address) {
        return controller.getContract(_id);
    }

    function _bondingManager() internal view returns (IBondingManager) {
        return IBondingManager(_peer(ID_BONDING_MANAGER));
    }

    function _roundsManager() internal view returns (IRoundsManager) {
        return IRoundsManager(_peer(ID_ROUNDS_MANAGER));
    }

    function _minter() internal view returns (IMinter) {
        return IMinter(_peer(ID_MINTER));
    }

    function _token() internal view returns (ILivepeerToken) {
        return ILivepeerToken(_peer(ID_TOKEN));
    }

    function _currentRound() internal view returns (uint256) {
        return _roundsManager().currentRound();
    }

    // Livepeer checks this before any state change that depends on the round's stake snapshot.
    modifier whenRoundInitialized() {
        require(_roundsManager().currentRoundInitialized(), "current round is not initialized");
        _;
    }
}
